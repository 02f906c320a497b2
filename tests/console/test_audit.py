"""The audit log keeps what matters (issue 18, item 5): who revealed, exported, erased, took
over, changed a role, logged in or failed to; not a row per poll of a live chat."""

from __future__ import annotations

import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from bot.console.auth import UNKNOWN_ACCOUNT, StaffError, audit, set_role
from bot.console.demo import Script, write_script
from bot.console.models import AuditEntry, StaffUser
from bot.db.session import Database
from tests.console.conftest import ADMIN, AGENT, login


def _trail(db: Database) -> list[tuple[str, str, str | None, str]]:
    with db.session() as s:
        return [
            (a.staff_email, a.action, a.sender_id, a.detail)
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def _chat(db: Database) -> None:
    write_script(
        db,
        Script("live-1", time.time() - 60)
        .user("get me a person", "contact_human_agent")
        .slot("handoff_requested", True)
        .slot("handoff_reason", "shopper_asked")
        .action("action_handoff")
        .bot("Connecting you."),
    )


def test_a_live_chat_polled_for_a_minute_leaves_only_the_login(
    app: FastAPI, staff: Database
) -> None:
    _chat(staff)
    agent = TestClient(app)
    login(agent, AGENT)
    conv_id = agent.get("/console/api/conversations").json()["conversations"][0]["id"]
    agent.get(f"/console/conversations/{conv_id}")
    for _ in range(30):  # the conversation view polls every 2 s
        assert agent.get(f"/console/api/conversations/{conv_id}").status_code == 200
        assert agent.get("/console/api/handoffs").status_code == 200
    assert [(who, action) for who, action, _, _ in _trail(staff)] == [(AGENT[0], "login")]


def test_what_matters_is_audited(app: FastAPI, staff: Database) -> None:
    _chat(staff)
    stranger = TestClient(app)
    for email in ("hunter2-typed-in-the-wrong-field", AGENT[0]):
        page = stranger.get("/console/login")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        stranger.post(
            "/console/login", data={"email": email, "password": "wrong-pass", "csrf": csrf}
        )
    admin = TestClient(app)
    csrf = login(admin, ADMIN)
    conv_id = admin.get("/console/api/conversations").json()["conversations"][0]["id"]
    admin.post(f"/console/conversations/{conv_id}/reveal", data={"csrf": csrf})
    admin.get("/console/export", params={"format": "csv"})
    admin.post(
        "/console/export",
        data={"csrf": csrf, "format": "csv", "reason": "data subject access request 12"},
    )
    admin.get("/console/export-nlu")
    admin.get(f"/console/conversations/{conv_id}/story.yml")
    hid = admin.get("/console/api/handoffs").json()["handoffs"][0]["id"]
    admin.post(f"/console/handoffs/{hid}/take", data={"csrf": csrf})
    set_role(staff, AGENT[0], "supervisor", actor=ADMIN[0])
    agent = TestClient(app)
    login(agent, AGENT)
    agent.get("/console/export", params={"format": "csv"})  # supervisors may export now

    trail = _trail(staff)
    actions = [(who, action) for who, action, _, _ in trail]
    assert actions == [
        (UNKNOWN_ACCOUNT, "login-failed"),  # never the text typed into the e-mail field
        (AGENT[0], "login-failed"),
        (ADMIN[0], "login"),
        (ADMIN[0], "reveal"),
        (ADMIN[0], "export"),
        (ADMIN[0], "export-unmasked"),
        (ADMIN[0], "export-nlu"),
        (ADMIN[0], "story"),
        (ADMIN[0], "take"),
        (ADMIN[0], "role"),
        (AGENT[0], "login"),
        (AGENT[0], "export"),
    ]
    assert all("hunter2" not in detail for _, _, _, detail in trail)
    by_action = {action: (sender, detail) for _, action, sender, detail in trail}
    assert by_action["reveal"][0] == "live-1" and by_action["story"][0] == "live-1"
    assert "reason=data subject access request 12" in by_action["export-unmasked"][1]
    assert by_action["role"][1] == f"{AGENT[0]}: agent -> supervisor"
    assert by_action["login-failed"][1].startswith("ip=")


def test_only_known_actions_are_recorded(staff: Database) -> None:
    with pytest.raises(ValueError):
        audit(staff, ADMIN[0], "open", "live-1")
    with pytest.raises(StaffError):
        set_role(staff, AGENT[0], "owner", actor=ADMIN[0])
    assert _trail(staff) == []


def test_role_change_from_the_cli_is_audited(staff: Database) -> None:
    from bot.bootstrap import Services, install
    from bot.cli.staff import app as staff_cli
    from bot.settings import Settings

    install(Services(Settings(), database=staff))
    try:
        result = CliRunner().invoke(staff_cli, ["role", AGENT[0], "admin"])
    finally:
        install(None)
    assert result.exit_code == 0, result.output
    with staff.session() as s:
        assert s.scalar(select(StaffUser.role).where(StaffUser.email == AGENT[0])) == "admin"
    ((who, action, _, detail),) = _trail(staff)
    assert who.startswith("cli:") and action == "role" and detail.endswith("agent -> admin")
