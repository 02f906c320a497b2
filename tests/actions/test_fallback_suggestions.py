"""Low confidence is not a dead end (issue 17 item 4): "Did you mean ...?" buttons first.

The likeliest offerable intents become buttons that send the intent with the message's
entities; clicking one continues as if the shopper had said it (the actions read the words
that were not understood); "Something else" asks to rephrase; a second message not
understood still hands over to a person.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from actions.common import latest_text
from actions.conversation import ActionFallback, ActionSearchProducts
from bot.db.session import Database
from bot.dialogue.conversation import (
    INTENT_LABELS,
    NOT_OFFERED,
    SOMETHING_ELSE,
    SUGGESTION_TEXT,
    suggestions,
)
from tests.actions.conftest import PROJECT_ROOT, Conversation

# What the FallbackClassifier leaves in the parse: the fallback first, then the classifier.
RANKING = [
    {"name": "nlu_fallback", "confidence": 0.4},
    {"name": "track_order", "confidence": 0.31},
    {"name": "greet", "confidence": 0.2},  # never offered
    {"name": "track_refund", "confidence": 0.18},
    {"name": "cancel_order", "confidence": 0.12},
    {"name": "return_item", "confidence": 0.11},  # a fourth: not shown
]


def _buttons(turn: Any) -> list[dict[str, str]]:
    return [b for msg in turn.messages for b in (msg.get("buttons") or [])]


def test_every_intent_is_either_labelled_or_never_offered() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain" / "nlu.yml").read_text(encoding="utf-8"))
    intents = set(domain["intents"])
    assert intents <= set(INTENT_LABELS) | NOT_OFFERED, intents - set(INTENT_LABELS) - NOT_OFFERED
    assert not set(INTENT_LABELS) & NOT_OFFERED
    assert set(INTENT_LABELS) <= intents, set(INTENT_LABELS) - intents


def test_low_confidence_offers_the_likeliest_meanings(shop: Database, domain: dict) -> None:
    turn = Conversation().run(
        ActionFallback(),
        domain,
        "S1000200 hasn't turned up??",
        "nlu_fallback",
        entities={"order_id": "#S1000200"},
        ranking=RANKING,
    )
    assert turn.text == SUGGESTION_TEXT
    buttons = _buttons(turn)
    assert [b["title"] for b in buttons] == [
        "Where is my order?",
        "Where is my refund?",
        "Cancel an order",
        "Something else",
    ]
    assert buttons[0]["payload"] == '/track_order{"order_id": "#S1000200"}'
    assert buttons[-1] == SOMETHING_ELSE
    assert "handoff_requested" not in turn.slots()


def test_clicking_a_suggestion_continues_with_the_words_it_meant(
    shop: Database, domain: dict
) -> None:
    chat = Conversation()
    said = "umm those insulated bottles u have??"
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "search_product", "confidence": 0.35},
        {"name": "recommend_product", "confidence": 0.3},
    ]
    offer = chat.run(ActionFallback(), domain, said, "nlu_fallback", ranking=ranking)
    click = _buttons(offer)[0]
    assert click == {"title": "Find a product", "payload": "/search_product"}
    assert latest_text(chat.tracker(click["payload"], "search_product")) == said
    found = chat.run(ActionSearchProducts(), domain, click["payload"], "search_product")
    cards = found.payloads[0]["products"]
    assert cards and all("insulated bottle" in c["name"].lower() for c in cards[:2]), cards


def test_a_payload_that_was_not_offered_is_taken_as_sent(shop: Database, domain: dict) -> None:
    chat = Conversation()
    chat.run(ActionFallback(), domain, "blorp", "nlu_fallback", ranking=RANKING)
    assert latest_text(chat.tracker("/search_product", "search_product")) == "/search_product"
    assert latest_text(chat.tracker("plain words", "search_product")) == "plain words"


def test_something_else_asks_to_rephrase_and_the_next_miss_hands_over(
    shop: Database, domain: dict
) -> None:
    chat = Conversation()
    chat.run(ActionFallback(), domain, "blorp", "nlu_fallback", ranking=RANKING)
    rephrase = chat.run(ActionFallback(), domain, SOMETHING_ELSE["payload"], "nlu_fallback")
    assert "say it another way" in rephrase.text
    assert "handoff_requested" not in rephrase.slots()
    again = chat.run(ActionFallback(), domain, "zzzt", "nlu_fallback", ranking=RANKING)
    assert again.slots()["handoff_requested"] is True
    assert again.slots()["handoff_reason"] == "repeated_fallback"


def test_without_likely_meanings_the_shopper_is_asked_to_rephrase(
    shop: Database, domain: dict
) -> None:
    weak = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "track_order", "confidence": 0.05},
    ]
    turn = Conversation().run(ActionFallback(), domain, "qwxz", "nlu_fallback", ranking=weak)
    assert "say it another way" in turn.text


def test_suggestions_carry_one_value_per_entity() -> None:
    entities = [
        {"entity": "order_id", "value": "#S1000001"},
        {"entity": "order_id", "value": "#S1000001"},
        {"entity": "zip", "value": "10001"},
        {"entity": "language", "value": "en"},  # the slot holds it; payloads stay as they were
    ]
    (only,) = suggestions([{"name": "cancel_order", "confidence": 0.3}], entities)
    intent, _, body = only["payload"].partition("{")
    assert intent == "/cancel_order"
    assert json.loads("{" + body) == {"order_id": "#S1000001", "zip": "10001"}
