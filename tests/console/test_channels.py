"""The console per channel (issue 19): the channel column and filter of the conversation
list, analytics broken down by channel, hand-off replies sent through the shopper's channel."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.console import analytics
from bot.console.demo import Script, write_script
from bot.console.handoff import RasaEvents
from bot.console.ingest import ingest_new_events
from bot.console.queries import ListFilters, channels, list_page
from bot.db.session import Database
from bot.insights.models import MessageSentiment, ProfileFact
from tests.console.conftest import AGENT, RecordingRasa, login

NOW = time.time()


def seed(db: Database) -> None:
    """A widget chat that ends well, two Telegram chats (one angry, handed off) and a
    WhatsApp (Twilio) question, all within the last two days."""
    write_script(
        db,
        Script("sb_widget1", NOW - 7200)
        .user("where is my order?", "order_status", 0.97, sentiment=0.6)
        .action("action_order_status")
        .bot("It shipped.", metadata={"shopbot_task": {"task": "status", "done": True}})
        .user("thanks", "thank", sentiment=0.8)
        .action("utter_welcome")
        .bot("You're welcome!"),
    )
    write_script(
        db,
        Script("telegram:1001", NOW - 3600, channel="telegram")
        .user("this is useless!!", "nlu_fallback", 0.3, sentiment=-0.8)
        .action("action_default_fallback")
        .bot("Sorry, I didn't get that.")
        .slot("handoff_requested", True)
        .action("action_handoff")
        .bot("Connecting you."),
    )
    write_script(
        db,
        Script("telegram:1002", NOW - 1800, channel="telegram")
        .user("do you have backpacks?", "product_search", 0.9, sentiment=0.2)
        .action("action_search_products")
        .bot("Here are some backpacks."),
    )
    write_script(
        db,
        Script("twilio_whatsapp:+15550001", NOW - 600, channel="twilio_whatsapp")
        .user("do you ship to Canada?", "ask_policy", 0.9, sentiment=0.0)
        .action("action_answer_policy")
        .bot("We ship to the USA only."),
    )


def test_the_list_filters_by_channel(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)
    with cdb.session() as s:
        assert channels(s) == ["socketio", "telegram", "twilio_whatsapp"]
        telegram = list_page(s, ListFilters.from_mapping({"channel": "telegram"})).rows
        everything = list_page(s, ListFilters()).rows
        nothing = list_page(s, ListFilters.from_mapping({"channel": "messenger"})).rows
        combined = list_page(s, ListFilters(channel="telegram", handoff="yes")).rows
    assert {r["sender_id"] for r in telegram} == {"telegram:1001", "telegram:1002"}
    assert {r["channel"] for r in everything} == {"socketio", "telegram", "twilio_whatsapp"}
    assert nothing == [] and [r["sender_id"] for r in combined] == ["telegram:1001"]
    assert ListFilters(channel="telegram").as_query() == {"channel": "telegram"}


def test_analytics_break_down_by_channel_and_filter_to_one(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)
    stats = analytics.collect(cdb, days=7, now=NOW)
    rows = {row["channel"]: row for row in stats["channels"]}
    assert [row["channel"] for row in stats["channels"]] == [
        "telegram",
        "socketio",
        "twilio_whatsapp",
    ]  # most conversations first
    assert rows["telegram"]["conversations"] == 2 and rows["telegram"]["handoff_rate"] == 0.5
    assert rows["telegram"]["fallback_rate"] == 0.5
    assert rows["telegram"]["mean_min_sentiment"] == round((-0.8 + 0.2) / 2, 3)
    assert rows["socketio"]["conversations"] == 1 and rows["socketio"]["handoff_rate"] == 0.0
    assert sum(row["conversations"] for row in stats["channels"]) == stats["total"] == 4
    only = analytics.collect(cdb, days=7, now=NOW, channel="telegram")
    assert only["total"] == 2 and only["channel"] == "telegram"
    assert [row["channel"] for row in only["channels"]] == ["telegram"]
    assert only["handoff_rate"] == 0.5


def test_pages_show_the_channel_column_filter_and_breakdown(app: FastAPI, staff: Database) -> None:
    seed(staff)
    client = TestClient(app)
    login(client, AGENT)
    page = client.get("/console/", params={"channel": "telegram"})
    assert page.status_code == 200
    assert 'id="channel-filter"' in page.text and '<option value="telegram" selected>' in page.text
    assert page.text.count('<td class="channel">telegram</td>') == 2
    assert '<td class="channel">socketio</td>' not in page.text
    api = client.get("/console/api/conversations", params={"channel": "twilio_whatsapp"}).json()
    assert [r["channel"] for r in api["conversations"]] == ["twilio_whatsapp"]
    board = client.get("/console/analytics", params={"days": 7})
    assert board.status_code == 200 and 'id="channels"' in board.text
    assert 'id="channel-insights"' in board.text
    assert (
        'data-channel="telegram"' in board.text and 'data-channel="twilio_whatsapp"' in board.text
    )
    one = client.get("/console/analytics", params={"days": 7, "channel": "telegram"})
    assert 'data-channel="socketio"' not in one.text and "channel=telegram" in one.text
    chart = client.get("/console/analytics/per_day.png", params={"days": 7, "channel": "telegram"})
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"


def test_handoff_events_go_to_the_conversations_latest_channel(
    rasa_endpoint: RecordingRasa,
) -> None:
    RasaEvents(rasa_endpoint.url, "tok").append(
        "telegram:1001", [{"event": "bot", "text": "hi"}], side_effects=True
    )
    path = rasa_endpoint.calls[0]["path"]
    # Rasa does not unquote path parameters: the id must arrive as it is stored.
    assert path.startswith("/conversations/telegram:1001/tracker/events?")
    assert "output_channel=latest" in path and "execute_side_effects=true" in path


def test_sentiment_and_preferences_are_attributed_to_their_channel(cdb: Database) -> None:
    seed(cdb)
    ingest_new_events(cdb)
    with cdb.transaction() as s:
        # Facts the profile builder learned from messages cite the events row they came from.
        refs = dict(
            s.execute(
                select(MessageSentiment.sender_id, func.min(MessageSentiment.event_id)).group_by(
                    MessageSentiment.sender_id
                )
            ).all()
        )
        for kind, sender in (
            ("size", "telegram:1002"),
            ("colour", "telegram:1002"),
            ("budget", "twilio_whatsapp:+15550001"),
        ):
            s.add(
                ProfileFact(
                    customer_id="c1", kind=kind, value="x", source="message",
                    evidence_ref=str(refs[sender]), excerpt="",
                )
            )  # fmt: skip
        s.add(ProfileFact(customer_id="c1", kind="brand", value="y", source="order",
                          evidence_ref="#W1", excerpt=""))  # fmt: skip
    stats = analytics.collect(cdb, days=7, now=NOW)
    rows = {row["channel"]: row for row in stats["channels"]}
    # Every shopper message was scored on ingest, whatever its channel.
    assert rows["telegram"]["sentiment"]["messages"] == 2
    assert rows["socketio"]["sentiment"]["messages"] == 2
    assert rows["twilio_whatsapp"]["sentiment"]["messages"] == 1
    assert rows["telegram"]["sentiment"]["negative"] >= 1  # "this is useless!!"
    assert rows["telegram"]["preferences"] == {"size": 1, "colour": 1}
    assert rows["twilio_whatsapp"]["preferences"] == {"budget": 1}
    assert rows["socketio"]["preferences"] == {}  # order facts belong to no channel
    only = analytics.collect(cdb, days=7, now=NOW, channel="twilio_whatsapp")
    assert [row["preferences"] for row in only["channels"]] == [{"budget": 1}]
