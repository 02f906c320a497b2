"""Hand-off queue and agent actions against an HTTP endpoint with Rasa's API shape; analytics."""

from __future__ import annotations

import re
import time

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.console.demo import Script, write_events, write_script
from bot.console.handoff import waiting_label
from bot.console.models import Handoff
from bot.console.pseudonym import conversation_ref, customer_ref
from bot.db.session import Database
from tests.console.conftest import ADMIN, AGENT, RecordingRasa, login, make_app


def _waiting(db: Database) -> None:
    now = time.time()
    write_script(
        db,
        Script("old", now - 600)
        .user("human please", "contact_human_agent")
        .action("action_handoff")
        .slot("handoff_requested", True)
        .slot("handoff_reason", "shopper_asked"),
    )
    write_script(
        db,
        Script("new", now - 60)
        .user("??", "nlu_fallback", 0.2)
        .action("action_fallback")
        .user("!!", "nlu_fallback", 0.2)
        .action("action_fallback")
        .slot("handoff_requested", True)
        .slot("handoff_reason", "repeated_fallback"),
    )
    write_script(db, Script("fine", now - 30).user("hi", "greet").action("utter_greet").bot("Hi"))


def test_queue_newest_first_with_reasons(app: FastAPI, staff: Database) -> None:
    _waiting(staff)
    client = TestClient(app)
    login(client, AGENT)
    queue = client.get("/console/api/handoffs").json()["handoffs"]
    assert [(h["ref"], h["reason"], h["status"]) for h in queue] == [
        (conversation_ref("new"), "fallback", "waiting"),
        (conversation_ref("old"), "asked", "waiting"),
    ]
    page = client.get("/console/handoffs")
    new, old = conversation_ref("new"), conversation_ref("old")
    assert page.text.index(f'data-sender="{new}"') < page.text.index(f'data-sender="{old}"')


def test_take_reply_release(app: FastAPI, staff: Database, rasa_endpoint: RecordingRasa) -> None:
    _waiting(staff)
    agent = TestClient(app)
    csrf = login(agent, AGENT)
    hid = agent.get("/console/api/handoffs").json()["handoffs"][0]["id"]
    # Replying before taking is refused.
    early = agent.post(
        f"/console/handoffs/{hid}/reply", data={"text": "hi"}, headers={"X-CSRF-Token": csrf}
    )
    assert early.status_code == 409
    agent.post(f"/console/handoffs/{hid}/take", data={"csrf": csrf})
    first = rasa_endpoint.calls[0]
    assert first["path"].startswith("/conversations/new/tracker/events?")
    assert (
        "execute_side_effects=true" in first["path"] and "output_channel=latest" in first["path"]
    )  # the conversation's own channel: widget, Telegram, WhatsApp... (tests/channels/tg)
    assert "token=tok" in first["path"]
    assert first["events"][0] == {"event": "pause"}
    assert first["events"][1]["data"]["custom"]["state"] == "agent_joined"

    # Another agent cannot take or reply to it.
    admin = TestClient(app)
    csrf_admin = login(admin, ADMIN)
    stolen = admin.post(
        f"/console/handoffs/{hid}/take",
        data={"csrf": csrf_admin},
        headers={"X-CSRF-Token": csrf_admin},
    )
    assert stolen.status_code == 409

    sent = agent.post(
        f"/console/handoffs/{hid}/reply",
        data={"text": "Hello, I'm Sam."},
        headers={"X-CSRF-Token": csrf},
    )
    assert sent.json() == {"ok": True}
    # the text stays in the transcript; the widget gets the payload marked as a person's
    assert rasa_endpoint.calls[-1]["events"] == [
        {
            "event": "bot",
            "text": "Hello, I'm Sam.",
            "data": {
                "custom": {
                    "type": "agent_message",
                    "text": "Hello, I'm Sam.",
                    "from": "Support team",
                }
            },
            "metadata": {"agent": AGENT[0]},
        }
    ]
    agent.post(f"/console/handoffs/{hid}/release", data={"csrf": csrf})
    assert rasa_endpoint.calls[-1]["events"][0] == {"event": "resume"}
    with staff.session() as s:
        assert s.get(Handoff, hid).status == "returned"
    assert [h["ref"] for h in agent.get("/console/api/handoffs").json()["handoffs"]] == [
        conversation_ref("old")
    ]


def test_rasa_down_gives_a_message_not_a_trace(staff: Database) -> None:
    _waiting(staff)
    client = TestClient(make_app(staff, "http://127.0.0.1:9"))
    csrf = login(client, AGENT)
    hid = client.get("/console/api/handoffs").json()["handoffs"][0]["id"]
    response = client.post(f"/console/handoffs/{hid}/take", data={"csrf": csrf})
    assert response.status_code == 200 and "not reachable" in response.text
    with staff.session() as s:
        assert s.scalars(select(Handoff.status).where(Handoff.id == hid)).one() == "waiting"


def test_analytics_page_and_charts(app: FastAPI, staff: Database) -> None:
    _waiting(staff)
    client = TestClient(app)
    login(client, AGENT)
    page = client.get("/console/analytics")
    assert page.status_code == 200 and "Conversations: <strong>3</strong>" in page.text
    assert "Hand-off rate: <strong>66.7%</strong>" in page.text
    for chart in ("per_day", "rates", "top_intents", "sentiment", "latency"):
        png = client.get(f"/console/analytics/{chart}.png")
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n", chart
    assert client.get("/console/analytics/nope.png").status_code == 404


def test_view_shows_agent_turns_pause_and_resume(app: FastAPI, staff: Database) -> None:
    """What Rasa logs during a hand-off (pause, agent bot events, resume) renders in the view."""
    from bot.console.demo import write_events

    now = time.time()
    write_events(
        staff,
        "held",
        [
            {
                "event": "user",
                "timestamp": now - 50,
                "text": "human please",
                "parse_data": {"intent": {"name": "contact_human_agent", "confidence": 0.9}},
            },
            {"event": "pause", "timestamp": now - 40},
            {"event": "slot", "timestamp": now - 40, "name": "agent_active", "value": True},
            {
                "event": "bot",
                "timestamp": now - 40,
                "text": None,
                "data": {"custom": {"type": "handoff", "state": "agent_joined"}},
                "metadata": {"agent": AGENT[0]},
            },
            {
                "event": "bot",
                "timestamp": now - 30,
                "text": "Hi, Sam here",
                "metadata": {"agent": AGENT[0]},
            },
            {
                "event": "user",
                "timestamp": now - 20,
                "text": "thanks Sam",
                "parse_data": {"intent": {"name": "thank", "confidence": 0.8}},
            },
            {"event": "resume", "timestamp": now - 10},
        ],
    )
    client = TestClient(app)
    login(client, AGENT)
    cid = client.get("/console/api/conversations", params={"q": "held"}).json()["conversations"][0][
        "id"
    ]
    view = client.get(f"/console/conversations/{cid}")
    assert view.status_code == 200
    assert "conversation paused" in view.text and "conversation resumed" in view.text
    assert f"Agent {AGENT[0]}:" in view.text and "Hi, Sam here" in view.text


def test_queue_shows_waiting_time_customer_reason_channel_and_no_unix_times(
    app: FastAPI, staff: Database
) -> None:
    """Issue 18 item 4: what an agent needs to pick a conversation, in words, not epochs."""
    now = time.time()
    write_script(
        staff,
        Script("known", now - 190, channel="rest")
        .user("where is my order", "order_status")
        .slot("customer_id", "noah_brown_6181")
        .user("human please", "contact_human_agent")
        .action("action_handoff")
        .slot("handoff_requested", True)
        .slot("handoff_reason", "shopper_asked"),
    )
    client = TestClient(app)
    login(client, ADMIN)
    (item,) = client.get("/console/api/handoffs").json()["handoffs"]
    assert item["customer_ref"] == customer_ref("noah_brown_6181")
    assert item["channel"] == "rest" and item["reason"] == "asked"
    assert item["waiting"] == "waiting 3 min"
    assert item["requested"].endswith(" UTC") and "requested_at" not in item
    page = client.get("/console/handoffs").text
    row = page[page.index('data-sender="' + conversation_ref("known")) :]
    row = row[: row.index("</tr>")]
    assert "waiting 3 min" in row and "#" + customer_ref("noah_brown_6181") in row
    assert ">rest<" in row and ">asked<" in row
    assert "noah_brown_6181" not in page
    # no raw Unix time on the queue, the conversation or the audit page (opening writes a row)
    unix_time = re.compile(r"\b1\d{9}(?:\.\d+)?\b")
    assert not unix_time.search(page)
    assert not unix_time.search(
        client.get(f"/console/conversations/{item['conversation_id']}").text
    )
    turns = client.get(f"/console/api/conversations/{item['conversation_id']}").json()["turns"]
    assert turns and all("timestamp" not in t and t["at"] for t in turns)
    audit = client.get("/console/audit").text
    assert "UTC" in audit and not unix_time.search(audit)
    assert 'id="handoff-count"' in page  # the badge every page keeps up to date


def test_waiting_labels() -> None:
    assert waiting_label(42) == "waiting 42 s"
    assert waiting_label(3 * 60 + 59) == "waiting 3 min"
    assert waiting_label(3600 + 5 * 60) == "waiting 1 h 5 min"
    assert waiting_label(600, taken=True) == "waited 10 min"


def test_restarting_a_waiting_conversation_takes_it_out_of_the_queue(
    app: FastAPI, staff: Database
) -> None:
    """The widget's "New conversation" sends /restart: the shopper left, nobody should take it."""
    _waiting(staff)
    client = TestClient(app)
    login(client, AGENT)
    assert len(client.get("/console/api/handoffs").json()["handoffs"]) == 2
    write_events(staff, "old", [{"event": "restart", "timestamp": time.time()}])
    queue = client.get("/console/api/handoffs").json()["handoffs"]
    assert [h["ref"] for h in queue] == [conversation_ref("new")]
    with staff.session() as s:
        statuses = s.scalars(select(Handoff.status).where(Handoff.sender_id == "old")).all()
    assert statuses == ["cancelled"]


def test_a_request_and_a_restart_in_one_ingest_batch_leave_nothing_waiting(
    app: FastAPI, staff: Database
) -> None:
    now = time.time()
    write_script(
        staff,
        Script("gone", now - 20)
        .user("human please", "contact_human_agent")
        .slot("handoff_requested", True),
    )
    write_events(staff, "gone", [{"event": "restart", "timestamp": now}])
    client = TestClient(app)
    login(client, AGENT)
    assert client.get("/console/api/handoffs").json()["handoffs"] == []
