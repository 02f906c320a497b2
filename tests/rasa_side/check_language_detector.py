"""Runs rasa_addons.language_detector in the Rasa environment; prints the entities it added."""

from __future__ import annotations

import json

from rasa.shared.nlu.training_data.message import Message

from rasa_addons.language_detector import LanguageDetector

CASES = [
    ("我想退货 order #S1000029", None, []),
    ("where is my order", {"lang": "zh"}, []),
    ("/greet", {"lang": "zh-CN"}, []),
    ("S1000029", None, [{"entity": "order_id", "value": "#S1000029"}]),
    ("S1000029", {"lang": "fr"}, []),
    ("hello", "not a dict", []),
]

out = []
for text, metadata, entities in CASES:
    message = Message(data={"text": text, "metadata": metadata, "entities": list(entities)})
    (done,) = LanguageDetector().process([message])
    out.append([[e["entity"], e["value"]] for e in done.get("entities") or []])
print(json.dumps(out))
