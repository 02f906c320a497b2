"""The per-script fallback (rasa_addons/script_fallback.py), run in the Rasa environment.

English messages keep Rasa's FallbackClassifier behaviour at ``threshold``; a message holding a
Chinese character (mixed ones too) is judged by ``cjk_threshold``; without one every message
gets ``threshold``, and the ambiguity rule stays Rasa's.
"""

from __future__ import annotations

import json

from tests.rasa_side.rasa_env import needs_rasa, run

pytestmark = needs_rasa

CODE = """
import json
from rasa.shared.nlu.training_data.message import Message
from rasa_addons.script_fallback import ScriptFallbackClassifier as C

def parse(config, text, first, second):
    message = Message(data={
        "text": text,
        "intent": {"name": "greet", "confidence": first},
        "intent_ranking": [
            {"name": "greet", "confidence": first}, {"name": "thank", "confidence": second}
        ],
    })
    C({**C.get_default_config(), **config}).process([message])
    return [message.get("intent")["name"], message.get("intent")["confidence"]]

per_script = {"threshold": 0.4, "ambiguity_threshold": 0.1, "cjk_threshold": 0.25}
try:
    C({**C.get_default_config(), "cjk_threshold": 1.5}); refused = False
except ValueError:
    refused = True
print(json.dumps({
    "english": parse(per_script, "hello there", 0.3, 0.1),
    "chinese": parse(per_script, "你好", 0.3, 0.1),
    "mixed": parse(per_script, "我想退货 order S1000029", 0.3, 0.1),
    "chinese_low": parse(per_script, "你好", 0.2, 0.1),
    "chinese_ambiguous": parse(per_script, "你好", 0.35, 0.3),
    "one_threshold": parse({"threshold": 0.4}, "你好", 0.3, 0.1),
    "refused": refused,
}))
"""


def test_each_script_has_its_threshold() -> None:
    proc = run(["-c", CODE], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["english"] == ["nlu_fallback", 0.4]
    assert got["chinese"] == ["greet", 0.3]
    assert got["mixed"] == ["greet", 0.3]
    assert got["chinese_low"] == ["nlu_fallback", 0.25]
    assert got["chinese_ambiguous"] == ["nlu_fallback", 0.25]
    assert got["one_threshold"] == ["nlu_fallback", 0.4]
    assert got["refused"] is True
