"""Run in the Rasa environment: the multi-request annotation and the FirstRequest component.

Prints one JSON line with what was found (tests/rasa_side/test_multi_request.py reads it).
"""

from __future__ import annotations

import asyncio
import json

from rasa.core.channels.channel import UserMessage
from rasa.shared.nlu.training_data.message import Message

from rasa_addons import multi_request

TEXT = (
    "Cancel order #W1111111 because I ordered it by mistake, and also cancel order "
    "#W2222222 because I changed my mind. Also, what is your return policy?"
)


class FakeAgent:
    """Parses a clause the way the trained model would (intent by its words)."""

    async def parse_message(self, text: str) -> dict:
        intent = "check_refund_policy" if "policy" in text else "cancel_order"
        if text.startswith("Hi"):
            intent = "greet"
        at = text.find("#W")
        entities = (
            [{"entity": "order_id", "value": text[at : at + 9], "start": at, "end": at + 9}]
            if at >= 0
            else []
        )
        return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities}


async def main() -> None:
    multi_request._agent = FakeAgent  # type: ignore[assignment]
    message = UserMessage(TEXT, sender_id="s", metadata={"client_ip": "127.0.0.1"})
    await multi_request.annotate(message)
    requests = message.metadata["requests"]
    single = UserMessage("cancel order #W1111111 please", sender_id="s")
    await multi_request.annotate(single)
    greeted = UserMessage("Hi, I'm Mia Silva. Cancel order #W1111111 please.", sender_id="s")
    await multi_request.annotate(greeted)

    first_end = requests[0]["end"]
    parsed = Message(
        data={
            "text": TEXT,
            "metadata": message.metadata,
            "intent": {"name": "check_refund_policy", "confidence": 0.6},
            "entities": [
                {"entity": "order_id", "value": "#W1111111", "start": 13, "end": 22},
                {
                    "entity": "cancel_reason",
                    "value": "changed my mind",
                    "start": first_end + 40,
                    "end": first_end + 55,
                },
                {"entity": "email", "value": "a@b.co"},
            ],
        }
    )
    multi_request.FirstRequest().process([parsed])
    print(
        json.dumps(
            {
                "intents": [r["intent"] for r in requests],
                "texts": [r["text"] for r in requests],
                "client_ip": message.metadata.get("client_ip"),
                "single": single.metadata,
                "greeted": [r["intent"] for r in greeted.metadata["requests"]],
                "intent": parsed.get("intent")["name"],
                "entities": [e["value"] for e in parsed.get("entities")],
            }
        )
    )


asyncio.run(main())
