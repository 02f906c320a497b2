"""``action_answer_question`` with a real rasa_sdk tracker and the real answer service."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import SORRY, ActionAnswerQuestion
from bot.bootstrap import Services, install
from bot.settings import Settings
from bot.texts import t


def tracker(text: str, sender: str = "web-1", customer_id: str | None = None) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={"customer_id": customer_id},
        latest_message={"text": text, "intent": {"name": "product_info"}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def installed(sqlite_shop, make_service):
    svc = make_service(sqlite_shop)
    install(Services(Settings(), database=sqlite_shop, answers=svc))
    yield svc
    install(None)


async def test_sends_text_cards_and_metadata(installed) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(
        dispatcher, tracker("is the ridge trail runner waterproof?"), {}
    )
    assert events == []
    text_msg, cards_msg = dispatcher.messages
    assert "Ridge Trail Runner" in text_msg["text"] and "waterproof" in text_msg["text"]
    meta = text_msg["shopbot_answer"]
    assert meta["grounded"] is True and meta["backend"] == "template"
    assert meta["facts"][0]["id"] == "SB-P0001"
    assert cards_msg["custom"]["type"] == "product_cards"
    assert cards_msg["custom"]["products"][0]["id"] == "SB-P0001"
    assert cards_msg["custom"]["products"][0]["price"] == "119.00"


async def test_uses_the_verified_customer_slot(installed) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion().run(
        dispatcher, tracker("where is my order?", customer_id="bob_jones_5678"), {}
    )
    assert "#S1000003" in dispatcher.messages[0]["text"]
    assert "#S1000001" not in dispatcher.messages[0]["text"]
    assert len(dispatcher.messages) == 1  # no product cards for an order answer


async def test_failure_is_a_friendly_message(sqlite_db, make_service) -> None:
    # An empty database without the shop tables: the service errors, the shopper sees words.
    from bot.db.session import Database

    broken = Database(f"sqlite:///{sqlite_db.url.rsplit('/', 1)[0]}/empty.db")
    svc = make_service(broken)
    svc.memory = None  # type: ignore[assignment]  (forces an error before any search)
    install(Services(Settings(), database=broken, answers=svc))
    try:
        dispatcher = CollectingDispatcher()
        await ActionAnswerQuestion().run(dispatcher, tracker("anything?"), {})
        assert dispatcher.messages[0]["text"] == t(SORRY)
    finally:
        install(None)
