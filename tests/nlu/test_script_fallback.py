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

def parse_ranked(config, text, ranking, entities=()):
    message = Message(data={
        "text": text,
        "intent": dict(ranking[0]),
        "intent_ranking": [dict(r) for r in ranking],
        "entities": list(entities),
    })
    C({**C.get_default_config(), **config}).process([message])
    return [message.get("intent")["name"], message.get("intent")["confidence"],
            [r["name"] for r in message.get("intent_ranking")]]

unsure = [
    {"name": "return_item", "confidence": 0.3},
    {"name": "check_refund_policy", "confidence": 0.25},
    {"name": "check_availability", "confidence": 0.2},
]
order = [{"entity": "order_id", "value": "#W6319233", "start": 20, "end": 29}]

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
    "question": parse_ranked(per_script, "can I send it back? how long do I have?", unsure),
    "zh_question": parse_ranked(per_script, "可以退吗，有几天时间", unsure),
    "statement": parse_ranked(per_script, "I want to send it back", unsure),
    "names_order": parse_ranked(per_script, "can I send back #W6319233?", unsure, order),
    "task_guess": parse_ranked(per_script, "can I send it back? how long do I have?", [
        {"name": "return_item", "confidence": 0.42},
        {"name": "check_refund_policy", "confidence": 0.25},
    ]),
    "task_sure": parse_ranked(per_script, "can I send it back? how long do I have?", [
        {"name": "return_item", "confidence": 0.6},
        {"name": "check_refund_policy", "confidence": 0.25},
    ]),
    "task_statement": parse_ranked(per_script, "I'd like to send it back", [
        {"name": "return_item", "confidence": 0.42},
        {"name": "check_refund_policy", "confidence": 0.25},
    ]),
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


def test_an_unsure_question_with_a_policy_reading_is_that_policy_question() -> None:
    """bot/dialogue/questions.py: the policy reading at the message's threshold, first in the
    ranking; a statement, or a question naming an order, still falls back."""
    proc = run(["-c", CODE], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["question"] == [
        "check_refund_policy",
        0.4,
        ["check_refund_policy", "return_item", "check_availability"],
    ]
    assert got["zh_question"][:2] == ["check_refund_policy", 0.3]  # over its threshold: a guess
    assert got["statement"][0] == "nlu_fallback"
    assert got["names_order"][0] == "nlu_fallback"
    # an unsure guess at an order change gives way to the question's policy reading too
    guessed = ["check_refund_policy", 0.42, ["check_refund_policy", "return_item"]]
    assert got["task_guess"] == guessed
    assert got["task_sure"][:2] == ["return_item", 0.6]
    assert got["task_statement"][:2] == ["return_item", 0.42]
