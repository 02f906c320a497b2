"""The console shows insight data: per-message sentiment, lowest sentiment, the profile."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bot.console import routes
from bot.console.auth import add_staff
from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.models import Conversation
from bot.console.timeline import build_turns
from bot.db.events import create_rasa_events_table
from bot.db.session import Database
from bot.insights.models import MessageSentiment
from bot.insights.profiles import build_profile

AGENT = ("agent@shop.test", "agent-password-1")


def fresh_events(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
    create_rasa_events_table(db.engine)


def test_every_shopper_message_is_scored_and_stored(db: Database) -> None:
    fresh_events(db)
    write_script(
        db,
        Script("moody", 1_790_000_000.0)
        .user("where is my order?", "order_status")
        .bot("It shipped.")
        .user("THIS IS RIDICULOUS, still nothing!!!", "complaint")
        .bot("Sorry.")
        .user("great, thanks a lot", "thank"),
    )
    ingest_new_events(db)
    with db.session() as s:
        stored = s.scalars(select(MessageSentiment).order_by(MessageSentiment.event_id)).all()
        conv = s.scalars(select(Conversation).where(Conversation.sender_id == "moody")).one()
        turns = build_turns(s, "moody")
    assert [m.label for m in stored] == ["neutral", "negative", "positive"]
    assert all(m.sender_id == "moody" and m.model == "lexicon" for m in stored)
    assert conv.min_sentiment == stored[1].score < -0.8  # the list's "lowest sentiment"
    shown = [t.sentiment for t in turns if t.event_id]
    assert shown == [m.score for m in stored]  # the conversation view shows each score


def test_chinese_messages_are_scored_by_the_chinese_lexicon(db: Database) -> None:
    fresh_events(db)
    write_script(
        db,
        Script("zh-moody", 1_790_000_100.0)
        .user("我的订单到哪了？", "order_status")
        .user("质量太差了，再也不买了", "complaint")
        .user("where is it?", "order_status"),
    )
    ingest_new_events(db)
    with db.session() as s:
        stored = s.scalars(select(MessageSentiment).order_by(MessageSentiment.event_id)).all()
    assert [(m.label, m.model) for m in stored] == [
        ("neutral", "lexicon-zh"),
        ("negative", "lexicon-zh"),
        ("neutral", "lexicon"),
    ]


def test_profile_route_needs_a_session_and_shows_evidence(shop: Database) -> None:
    from test_profiles import TRAIL, add_customer

    fresh_events(shop)
    add_customer(shop, TRAIL, "#S9000001", "SB-V000107")
    build_profile(shop, TRAIL)
    add_staff(shop, *AGENT, role="agent")
    app = FastAPI()
    app.include_router(routes.router, prefix=routes.PREFIX)
    app.dependency_overrides[routes.console_db] = lambda: shop
    client = TestClient(app)
    url = f"/console/api/customers/{TRAIL}/profile"
    assert client.get(url, follow_redirects=False).status_code in (303, 401)
    page = client.get("/console/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/console/login",
        data={"email": AGENT[0], "password": AGENT[1], "csrf": csrf},
        follow_redirects=False,
    )
    body = client.get(url).json()
    sizes = [p for p in body["preferences"] if p["kind"] == "size"]
    assert sizes[0]["value"] == "44" and sizes[0]["evidence"][0]["ref"] == "#S9000001"
    write_script(
        shop,
        Script("tess-chat", 1_790_000_000.0)
        .user("hello", "greet")
        .slot("customer_id", TRAIL)
        .bot("Hi!"),
    )
    ingest_new_events(shop)
    with shop.session() as s:
        conv_id = s.scalars(
            select(Conversation.id).where(Conversation.sender_id == "tess-chat")
        ).one()
    page = client.get(f"/console/conversations/{conv_id}").text
    # The view links to it by conversation: the raw customer id (a name) is not on the page.
    assert f'href="/console/api/conversations/{conv_id}/profile"' in page
    assert TRAIL not in page
    linked = client.get(f"/console/api/conversations/{conv_id}/profile").json()
    assert linked["preferences"] == body["preferences"] and TRAIL not in str(linked)
