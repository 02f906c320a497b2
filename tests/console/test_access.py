"""Access rules: no session → nothing; CSRF on every POST; rate limit; roles; audit; cookies."""

from __future__ import annotations

import re
import time

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.console import routes
from bot.console.auth import MAX_FAILS_PER_ACCOUNT, StaffError, add_staff
from bot.console.demo import Script, write_script
from bot.console.ingest import ingest_new_events
from bot.console.models import AuditEntry, Conversation, StaffSession
from bot.db.session import Database
from tests.console.conftest import ADMIN, AGENT, login

PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}


def _seed_one(db: Database) -> int:
    write_script(
        db,
        Script("s1", time.time() - 60)
        .user("my email is jo@example.com", "inform", 0.9)
        .slot("handoff_requested", True)
        .action("action_handoff")
        .bot("Connecting you"),
    )
    ingest_new_events(db)
    with db.session() as s:
        return s.scalars(select(Conversation.id)).one()


def _concrete(path: str, conv_id: int) -> str:
    return re.sub(
        r"\{[a-z_]+\}", lambda m: "per_day" if m.group(0) == "{chart}" else str(conv_id), path
    )


def test_every_route_needs_a_session(app: FastAPI, staff: Database) -> None:
    conv_id = _seed_one(staff)
    client = TestClient(app)
    checked = 0
    for route in routes.router.routes:
        assert isinstance(route, APIRoute)
        for method in route.methods:
            if (method, routes.PREFIX + route.path) in PUBLIC:
                continue
            url = routes.PREFIX + _concrete(route.path, conv_id)
            response = client.request(method, url, follow_redirects=False)
            assert response.status_code in (401, 303), (method, url, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"] == "/console/login"
            assert "s1" not in response.text and "jo@" not in response.text
            checked += 1
    assert checked >= 20


def test_expired_session_is_refused(app: FastAPI, staff: Database) -> None:
    client = TestClient(app)
    login(client, AGENT)
    with staff.transaction() as s:
        s.execute(update(StaffSession).values(expires_at=time.time() - 1))
    assert client.get("/console/api/conversations").status_code == 401


def test_login_sets_safe_cookie_and_wrong_password_fails(app: FastAPI) -> None:
    client = TestClient(app)
    page = client.get("/console/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    bad = client.post(
        "/console/login",
        data={"email": ADMIN[0], "password": "nope-nope-nope", "csrf": csrf},
        follow_redirects=False,
    )
    assert bad.headers["location"].endswith("error=bad")
    good = client.post(
        "/console/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf": csrf},
        follow_redirects=False,
    )
    cookie = good.headers["set-cookie"].lower()
    assert "shopbot_console=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in the test client
    https = TestClient(app, base_url="https://testserver")
    page = https.get("/console/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    good = https.post(
        "/console/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf": csrf},
        follow_redirects=False,
    )
    assert "secure" in good.headers["set-cookie"].lower()


def test_login_needs_its_csrf(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf": "forged"},
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("error=expired")
    assert client.get("/console/api/conversations").status_code == 401


def test_posts_need_the_session_csrf(app: FastAPI, staff: Database) -> None:
    conv_id = _seed_one(staff)
    client = TestClient(app)
    csrf = login(client, ADMIN)
    for url, data in [
        (f"/console/conversations/{conv_id}/tags", {"tags": "x"}),
        (f"/console/conversations/{conv_id}/reveal", {}),
        ("/console/customers/delete", {"customer": "jo@example.com"}),
        ("/console/logout", {}),
    ]:
        assert client.post(url, data=data, follow_redirects=False).status_code == 403
        assert (
            client.post(url, data={**data, "csrf": "wrong"}, follow_redirects=False).status_code
            == 403
        )
    ok = client.post(
        f"/console/conversations/{conv_id}/tags",
        data={"tags": "vip", "csrf": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_login_rate_limit_per_account(app: FastAPI) -> None:
    client = TestClient(app)
    page = client.get("/console/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    for _ in range(MAX_FAILS_PER_ACCOUNT):
        client.post(
            "/console/login",
            data={"email": AGENT[0], "password": "wrong-password", "csrf": csrf},
            follow_redirects=False,
        )
    # Even the right password is refused while locked.
    locked = client.post(
        "/console/login",
        data={"email": AGENT[0], "password": AGENT[1], "csrf": csrf},
        follow_redirects=False,
    )
    assert locked.status_code == 429 and "Too many failed attempts" in locked.text
    # Another account from another IP is unaffected.
    other = TestClient(app, client=("10.0.0.9", 5000))
    csrf2 = other.get("/console/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    ok = other.post(
        "/console/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf": csrf2},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_login_rate_limit_per_ip(app: FastAPI, staff: Database) -> None:
    client = TestClient(app, client=("10.0.0.7", 5000))
    csrf = client.get("/console/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    for i in range(20):
        client.post(
            "/console/login",
            data={"email": f"nobody{i}@x.test", "password": "wrong-password", "csrf": csrf},
            follow_redirects=False,
        )
    locked = client.post(
        "/console/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf": csrf},
        follow_redirects=False,
    )
    assert locked.status_code == 429


def test_reveal_is_admin_only_and_audited(app: FastAPI, staff: Database) -> None:
    conv_id = _seed_one(staff)
    agent = TestClient(app)
    csrf = login(agent, AGENT)
    view = agent.get(f"/console/conversations/{conv_id}")
    assert view.status_code == 200 and "jo@example.com" not in view.text and "[email]" in view.text
    assert 'id="reveal"' not in view.text
    assert (
        agent.post(f"/console/conversations/{conv_id}/reveal", data={"csrf": csrf}).status_code
        == 403
    )
    admin = TestClient(app)
    csrf = login(admin, ADMIN)
    revealed = admin.post(f"/console/conversations/{conv_id}/reveal", data={"csrf": csrf})
    assert revealed.status_code == 200 and "jo@example.com" in revealed.text
    with staff.session() as s:
        trail = [
            (a.staff_email, a.action, a.sender_id)
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert not any(action == "open" for _, action, _ in trail)  # masked reading is not audited
    assert (ADMIN[0], "reveal", "s1") in trail
    assert not any(a == (AGENT[0], "reveal", "s1") for a in trail)
    audit_page = admin.get("/console/audit")
    assert "reveal" in audit_page.text
    assert agent.get("/console/audit", follow_redirects=False).status_code == 403


def test_staff_add_validates(cdb: Database) -> None:
    with pytest.raises(StaffError):
        add_staff(cdb, "x@y.z", "short", "agent")
    with pytest.raises(StaffError):
        add_staff(cdb, "x@y.z", "long-enough-pw", "boss")
    add_staff(cdb, "X@Y.z", "long-enough-pw", "agent")
    with pytest.raises(StaffError):
        add_staff(cdb, "x@y.z", "long-enough-pw", "admin")


def test_mounted_by_the_web_app_under_console() -> None:
    """The lead's create_app() mounts this router at /console and it still demands a login."""
    from bot.web.app import create_app

    client = TestClient(create_app())
    assert client.get("/console/login").status_code == 200
    response = client.get("/console/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert client.get("/console/api/conversations").status_code == 401
