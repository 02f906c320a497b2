"""Policy answers, product cards, stop, hand-off, fallback and frustration on real services."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from actions.asks import ActionAskCancelReason
from actions.conversation import (
    ActionAnswerPolicy,
    ActionComplaint,
    ActionFallback,
    ActionHandoff,
    ActionSearchProducts,
    ActionStopTask,
)
from bot.db import models as m
from bot.db.session import Database
from bot.texts import use_locale
from tests.actions.conftest import Conversation


def _passage(db: Database, topic: str) -> str:
    with db.session() as s:
        passage = s.scalars(
            select(m.PolicyPassage)
            .where(m.PolicyPassage.topic == topic)
            .order_by(m.PolicyPassage.id)
        ).first()
        assert passage is not None, f"no {topic} passage loaded"
        return passage.body


def test_policy_answers_come_from_the_stored_passages(shop: Database, domain: dict) -> None:
    for intent, topic in (
        ("delivery_options", "delivery_options"),
        ("check_cancellation_fee", "cancellation_fee"),
        ("check_payment_methods", "payment_methods"),
        ("recover_password", "password"),
    ):
        turn = Conversation().run(ActionAnswerPolicy(), domain, "question", intent)
        # Quoted reflowed: the line breaks of the policy file never reach the shopper.
        first_sentence = " ".join(_passage(shop, topic).split()).split(". ")[0]
        assert first_sentence in turn.text, intent
        assert "\n" not in turn.text.split("\n\n")[0], intent


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_policy_answer_is_in_the_shoppers_language_only(shop: Database, domain: dict) -> None:
    """The Chinese passages share the topics: an English shopper got both texts (5 Dec)."""
    english = Conversation().run(
        ActionAnswerPolicy(), domain, "refund policy?", "check_refund_policy"
    )
    assert english.text and not _has_chinese(english.text)
    with use_locale("zh_CN"):  # the action server sets it from the conversation
        turn = Conversation().run(
            ActionAnswerPolicy(), domain, "退款政策是什么", "check_refund_policy"
        )
    first_line = turn.text.split("\n\n")[0]
    assert _has_chinese(first_line) and "Refunds always" not in turn.text, turn.text


def test_policy_answer_follows_the_database_not_the_code(shop: Database, domain: dict) -> None:
    with shop.transaction() as s:
        for passage in s.scalars(
            select(m.PolicyPassage).where(m.PolicyPassage.topic == "delivery_period")
        ):
            passage.body = "Parcels travel by carrier pigeon and arrive in 9 days."
    turn = Conversation().run(ActionAnswerPolicy(), domain, "how long", "delivery_period")
    assert "carrier pigeon" in turn.text


def test_product_search_sends_grounded_text_and_cards(shop: Database, domain: dict) -> None:
    with shop.session() as s:
        product = s.scalars(select(m.Product).order_by(m.Product.id)).first()
        assert product is not None
        name = product.name
    turn = Conversation().run(
        ActionSearchProducts(), domain, f"do you have the {name}?", "search_product",
        entities={"product": name},
    )  # fmt: skip
    cards = [p for p in turn.payloads if p["type"] == "product_cards"]
    assert cards and cards[0]["products"], turn.messages
    card = cards[0]["products"][0]
    assert {"id", "name", "price", "available", "url", "image"} <= set(card)
    assert card["url"] == f"/products/{card['id']}"
    assert name in turn.text
    # The cards are the list: no second copy of it as buttons (issue 16, text).
    assert not [b for msg in turn.messages for b in (msg.get("buttons") or [])]


def test_product_info_describes_price_and_stock(shop: Database, domain: dict) -> None:
    with shop.session() as s:
        product = s.scalars(select(m.Product).order_by(m.Product.id)).first()
        assert product is not None
        name = product.name
    turn = Conversation().run(
        ActionSearchProducts(), domain, f"tell me about the {name}", "product_info",
        entities={"product": name},
    )  # fmt: skip
    assert "$" in turn.text
    assert "stock" in turn.text


def test_stop_clears_the_task(shop: Database, domain: dict) -> None:
    chat = Conversation(slots={"order_id": "#S1000001", "cancel_reason": "no longer needed"})
    turn = chat.run(ActionStopTask(), domain, "stop", "stop")
    assert "nothing was changed" in turn.text
    assert turn.slots()["order_id"] is None and turn.slots()["cancel_reason"] is None


def test_cancel_reasons_offered_come_from_the_policy(shop: Database, domain: dict) -> None:
    turn = Conversation().run(ActionAskCancelReason(), domain)
    titles = [b["title"] for msg in turn.messages for b in (msg.get("buttons") or [])]
    assert titles == ["No longer needed", "Ordered by mistake"]


def test_asking_for_a_person_marks_the_conversation(shop: Database, domain: dict) -> None:
    turn = Conversation().run(ActionHandoff(), domain, "a human please", "contact_human_agent")
    assert turn.slots()["handoff_requested"] is True
    assert turn.slots()["handoff_reason"] == "shopper_asked"
    notice = turn.payloads[0]
    assert notice["type"] == "handoff" and notice["state"] == "requested"
    assert "person will join" in notice["text"]


def test_second_fallback_in_a_row_hands_over(shop: Database, domain: dict) -> None:
    chat = Conversation()
    first = chat.run(ActionFallback(), domain, "blorp", "nlu_fallback")
    assert "didn't understand" in first.text
    assert "handoff_requested" not in first.slots()
    second = chat.run(ActionFallback(), domain, "zzzt", "nlu_fallback")
    assert second.slots()["handoff_requested"] is True
    assert second.slots()["handoff_reason"] == "repeated_fallback"
    assert second.payloads[0]["type"] == "handoff"


def test_understood_message_resets_the_fallback_count(shop: Database, domain: dict) -> None:
    chat = Conversation()
    chat.run(ActionFallback(), domain, "blorp", "nlu_fallback")
    chat.run(ActionStopTask(), domain, "stop", "stop")
    again = chat.run(ActionFallback(), domain, "zzzt", "nlu_fallback")
    assert "handoff_requested" not in again.slots()


def test_rising_frustration_hands_over(shop: Database, domain: dict) -> None:
    chat = Conversation()
    calm = chat.run(ActionComplaint(), domain, "my parcel was late", "complaint")
    assert "sorry" in calm.text.lower()
    assert "handoff_requested" not in calm.slots()
    angry = chat.run(ActionComplaint(), domain, "THIS IS RIDICULOUS, still nothing!!", "complaint")
    assert angry.slots()["handoff_requested"] is True
    assert angry.slots()["handoff_reason"] == "frustration"


def test_a_complaint_that_asks_for_someone_hands_off_at_once(shop: Database, domain: dict) -> None:
    """Issue 16: "... can I talk to someone please?" gets a person, not "tell me again"."""
    turn = Conversation().run(
        ActionComplaint(),
        domain,
        "My parcel arrived broken and nobody answers my emails, can I talk to someone please?",
        "complaint",
    )
    assert turn.slots()["handoff_requested"] is True
    assert turn.slots()["handoff_reason"] == "shopper_asked"
    assert "tell me what went wrong" not in turn.text.lower()
    assert turn.payloads[0]["type"] == "handoff"


def test_not_understood_but_asking_for_a_person_hands_off(shop: Database, domain: dict) -> None:
    turn = Conversation().run(
        ActionFallback(), domain, "blorp zzzt, let me speak with a real person", "nlu_fallback"
    )
    assert turn.slots()["handoff_reason"] == "shopper_asked"


@pytest.mark.parametrize("action", [ActionHandoff(), ActionFallback(), ActionComplaint()])
def test_every_hand_off_pauses_the_bot(shop: Database, domain: dict, action: Any) -> None:
    """While the shopper waits the bot stays quiet (Rasa's pause), whichever way it began."""
    chat = Conversation()
    texts = ["??", "can I talk to someone please"]
    turn = None
    for text in texts:
        turn = chat.run(action, domain, text, "nlu_fallback")
    assert turn is not None and turn.slots()["handoff_requested"] is True
    assert any(e.get("event") == "pause" for e in turn.events)
