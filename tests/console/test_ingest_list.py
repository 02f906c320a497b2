"""Ingest from Rasa's event rows into the summary, then filter and page (SQLite + PostgreSQL)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.models import Conversation, Handoff
from bot.console.queries import ListFilters, list_page
from bot.console.timeline import build_turns
from bot.db.session import Database

DAY = 86400.0
T0 = 1_790_000_000.0  # 2026-09-21


def seed(db: Database) -> None:
    write_script(
        db,
        Script("happy", T0)
        .user(
            "where is my order #W2611340?",
            "order_status",
            0.97,
            sentiment=0.9,
            entities=[
                {"entity": "order_id", "value": "#W2611340", "extractor": "RegexEntityExtractor"}
            ],
        )
        .slot("customer_id", "noah_brown_6181")
        .slot("email", "Noah.Brown@example.com")
        .action("action_order_status")
        .bot(
            "Order #W2611340 shipped.",
            metadata={
                "facts": ["order #W2611340 status shipped"],
                "grounding": {"passed": True},
                "shopbot_task": {"task": "status", "done": True},  # actions/common.py send
            },
        )
        .user("thanks", "thank", sentiment=0.8)
        .action("utter_welcome")
        .bot("You're welcome!"),
    )
    write_script(
        db,
        Script("angry", T0 + DAY)
        .user("this is useless, call me at 555-123-4567", "nlu_fallback", 0.31, sentiment=-0.9)
        .action("action_default_fallback")
        .bot("Sorry, I didn't get that.")
        .slot("handoff_requested", True)
        .action("action_handoff")
        .bot("Connecting you."),
    )
    write_script(
        db,
        Script("browse", T0 + 2 * DAY, channel="rest")
        .user("show me red shoes", "product_search", 0.88, sentiment=0.1)
        .action("action_search_products")
        .bot("Here are some shoes."),
    )


def test_ingest_builds_summaries(cdb: Database) -> None:
    seed(cdb)
    assert ingest_new_events(cdb) > 0
    with cdb.session() as s:
        convs = {c.sender_id: c for c in s.scalars(select(Conversation))}
        handoffs = s.scalars(select(Handoff)).all()
    happy, angry, browse = convs["happy"], convs["angry"], convs["browse"]
    assert happy.turns == 2 and happy.resolved and not happy.fell_back
    assert (
        happy.customer_id == "noah_brown_6181" and happy.customer_email == "noah.brown@example.com"
    )
    assert json.loads(happy.intents) == ["order_status", "thank"]
    assert happy.min_sentiment == 0.8
    assert angry.fell_back and angry.handed_off and not angry.resolved
    assert angry.min_sentiment == -0.9
    assert browse.channel == "rest" and browse.min_sentiment == 0.1
    assert [(h.sender_id, h.reason, h.status) for h in handoffs] == [
        ("angry", "frustration", "waiting")
    ]
    latencies = json.loads(happy.latencies_ms)
    assert len(latencies) == 2 and all(300 <= ms <= 500 for ms in latencies)
    # Nothing new: a second run reads nothing and changes nothing.
    assert ingest_new_events(cdb) == 0


def test_ingest_is_incremental(cdb: Database) -> None:
    script = Script("grow", T0).user("hi", "greet").action("utter_greet").bot("Hello")
    write_script(cdb, script)
    ingest_new_events(cdb)
    write_script(cdb, Script("grow", T0 + 60).user("#W1234567 status?", "order_status"))
    ingest_new_events(cdb)
    with cdb.session() as s:
        conv = s.scalars(select(Conversation).where(Conversation.sender_id == "grow")).one()
        assert conv.turns == 2 and json.loads(conv.intents) == ["greet", "order_status"]
        page = list_page(s, ListFilters(order_id="w1234567"))
    assert [r["sender_id"] for r in page.rows] == ["grow"]


def test_filters(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)

    def ids(**kw: str) -> list[str]:
        with cdb.session() as s:
            return [r["sender_id"] for r in list_page(s, ListFilters(**kw)).rows]

    assert ids() == ["browse", "angry", "happy"]  # newest first
    assert ids(fallback="yes") == ["angry"]
    assert ids(handoff="no") == ["browse", "happy"]
    assert ids(resolved="yes") == ["browse", "happy"]
    assert ids(intent="order_status") == ["happy"]
    assert ids(order_id="#W2611340") == ["happy"]
    assert ids(email="NOAH.BROWN@example.com") == ["happy"]
    assert ids(q="red shoes") == ["browse"]
    assert ids(q="100%") == []
    assert ids(sentiment_below="-0.5") == ["angry"]
    assert ids(date_from="2026-09-22", date_to="2026-09-22") == ["angry"]
    assert ids(reviewed="yes") == []


def test_keyset_pagination_walks_everything_once(cdb: Database) -> None:
    for i in range(23):
        # Pairs share a start time, so the id tie-breaker matters.
        write_script(cdb, Script(f"c{i:02d}", T0 + (i // 2) * 10).user("hi", "greet"))
    ingest_new_events(cdb)
    seen: list[str] = []
    cursor = None
    with cdb.session() as s:
        while True:
            page = list_page(s, ListFilters(), cursor, size=5)
            seen += [r["sender_id"] for r in page.rows]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
    assert len(seen) == 23 and len(set(seen)) == 23
    assert seen[0] in ("c22",) and seen[-1] in ("c00", "c01")


def test_timeline_shows_turn_details_masked(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)
    with cdb.session() as s:
        turns = build_turns(s, "happy")
        angry = build_turns(s, "angry")
        revealed = build_turns(s, "angry", reveal=True)
    first = turns[0]
    assert first.intent == "order_status" and first.confidence == 0.97
    assert first.entities[0]["entity"] == "order_id"
    assert [a["name"] for a in first.actions] == ["action_order_status"]
    assert {"name": "email", "value": "[email]"} in first.slots
    assert first.bot_messages[0]["facts"] == ["order #W2611340 status shipped"]
    assert first.bot_messages[0]["grounding"] == {"passed": True}
    assert first.latency_ms is not None and 300 <= first.latency_ms <= 500
    assert "555-123-4567" not in angry[0].text and "[phone]" in angry[0].text
    assert "555-123-4567" in revealed[0].text
