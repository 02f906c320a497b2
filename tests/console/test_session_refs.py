"""Issue 14, finding 7: staff never see a conversation's sender id (lists, conversation page,
hand-off queue, audit log, exports); they see a stable pseudonymous reference instead."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.pseudonym import conversation_ref
from bot.db.session import Database
from tests.console.conftest import ADMIN, AGENT, login

SENDER = "sb_0123456789abcdef0123456789abcdef"


def test_sender_ids_are_not_shown_to_staff(app: FastAPI, staff: Database) -> None:
    write_script(
        staff,
        Script(SENDER, time.time() - 60)
        .user("human please", "contact_human_agent")
        .action("action_handoff")
        .slot("handoff_requested", True)
        .slot("handoff_reason", "shopper_asked")
        .bot("A person will join."),
    )
    ingest_new_events(staff)
    ref = conversation_ref(SENDER)
    assert ref.startswith("c-") and ref == conversation_ref(SENDER) != conversation_ref("other")
    agent = TestClient(app)
    login(agent, AGENT)
    listing = agent.get("/console/")
    assert ref in listing.text
    conv_id = next(c["id"] for c in agent.get("/console/api/conversations").json()["conversations"])
    pages = [
        listing,
        agent.get(f"/console/conversations/{conv_id}"),
        agent.get("/console/handoffs"),
        agent.get(f"/console/conversations/{conv_id}/story.yml"),
        agent.get("/console/api/conversations"),
        agent.get(f"/console/api/conversations/{conv_id}"),
        agent.get("/console/api/handoffs"),
    ]
    admin = TestClient(app)
    login(admin, ADMIN)
    pages += [  # exports are for supervisors and admins (finding 8)
        admin.get("/console/export", params={"format": "csv"}),
        admin.get("/console/export", params={"format": "jsonl", "turns": "yes"}),
    ]
    pages.append(admin.get("/console/audit"))  # the "open" above is audited
    for page in pages:
        assert page.status_code == 200, page.url
        assert SENDER not in page.text, page.url
    assert ref in pages[1].text and ref in pages[2].text and ref in pages[-1].text
