"""Run by tests/rasa_side/test_pipeline_steps.py with the Rasa environment's Python: the four
rule-based steps (``rasa_addons/pipeline_step.py``) pass Rasa's graph validation and set the
intent as before."""

from __future__ import annotations

import json

from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
from rasa.engine.validation import _validate
from rasa.graph_components.converters.nlu_message_converter import NLUMessageConverter
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.intent_evidence import IntentEvidence
from rasa_addons.language_detector import LanguageDetector
from rasa_addons.multi_request import FirstRequest
from rasa_addons.person_request import PersonRequest

STEPS = (PersonRequest, LanguageDetector, FirstRequest, IntentEvidence)
# A prediction graph: Rasa's message converter, then the steps one after the other.
nodes = {
    "start": SchemaNode(
        needs={"messages": "__message__"},
        uses=NLUMessageConverter,
        fn="convert_user_message",
        constructor_name="load",
        config={},
    )
}
for parent, step in zip(("start", *(s.__name__ for s in STEPS[:-1])), STEPS, strict=True):
    nodes[step.__name__] = SchemaNode(
        needs={"messages": parent}, uses=step, fn="process", constructor_name="load", config={}
    )
schema = GraphSchema(nodes)
_validate(schema, False, "en")  # Rasa's own checks of each step's load/process signatures

context = ExecutionContext(schema, "check")
made = [step.create({}, None, None, context) for step in STEPS]  # type: ignore[arg-type]


def ranked(*names: str) -> list[dict[str, object]]:
    return [{"name": n, "confidence": round(0.6 / (i + 1), 2)} for i, n in enumerate(names)]


person = Message(
    data={
        "text": "my parcel arrived broken, can I talk to someone please?",
        "intent": {"name": "report_damaged_item", "confidence": 0.6},
        "intent_ranking": ranked("report_damaged_item", "contact_human_agent"),
    }
)
evidence = Message(
    data={
        "text": "I'd like the brown one in order #W6319233",
        "intent": {"name": "place_order", "confidence": 0.6},
        "intent_ranking": ranked("place_order", "exchange_item"),
        "entities": [{"entity": "order_id", "value": "#W6319233"}],
    }
)
plain = Message(data={"text": "hello", "intent": {"name": "greet", "confidence": 0.9}})
out = {}
for name, message in (("person", person), ("evidence", evidence), ("plain", plain)):
    for step in made:
        step.process([message])
    out[name] = [
        message.get("intent")["name"],
        [r["name"] for r in message.get("intent_ranking") or []],
    ]
print(json.dumps(out))
