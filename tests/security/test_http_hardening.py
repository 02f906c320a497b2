"""The HTTP surface (issue 14, finding 12, the parts on the web app and the Rasa server).

Web app (``create_app()`` in-process): CSP / nosniff / Referrer-Policy on every response, API
docs only on request, Secure cookies outside the embedded default or over https, the console's
``?error=`` shows only fixed messages, oversized ids are a 422 and never a 500. Rasa (the
running product): its token is not on any command line, and CORS allows only the web app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.console.auth import add_staff
from bot.db.session import Database
from tests.console.conftest import ADMIN, fresh_events, login
from tests.security.web_env import PUBLIC_RASA_URL, STRONG, web_app_factory
from tests.web.store_fixtures import seed_small_shop

HUGE = "999999999999999999999999"


@pytest.fixture
def shop(db: Database) -> Database:
    """The small shop plus Rasa's events table and an admin, on SQLite and PostgreSQL."""
    seed_small_shop(db)
    fresh_events(db)
    add_staff(db, *ADMIN, role="admin")
    return db


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch, shop: Database) -> Iterator[Callable[..., TestClient]]:
    yield from web_app_factory(monkeypatch, shop)


# --- headers --------------------------------------------------------------------------------


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/products/SB-P0001", "/health", "/sign-in", "/nowhere"])
def test_storefront_responses_carry_security_headers(
    web: Callable[..., TestClient], path: str
) -> None:
    response = web(embedded=True).get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = _csp(response)
    assert csp["script-src"] == "script-src 'self'"  # widget.js + vendored Socket.IO client
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    # The widget talks to Rasa's public URL: polling (https) and the WebSocket upgrade (wss).
    connect = csp["connect-src"].split()
    assert {"'self'", PUBLIC_RASA_URL, PUBLIC_RASA_URL.replace("https", "wss")} <= set(connect)


def test_widget_script_and_socketio_client_are_same_origin(web: Callable[..., TestClient]) -> None:
    """script-src 'self' must keep the widget working: its scripts come from our origin."""
    client = web(embedded=True)
    page = client.get("/").text
    assert '<script src="/static/widget/widget.js"' in page
    assert "<script>" not in page  # no inline script the policy would block
    widget = client.get("/static/widget/widget.js")
    assert widget.status_code == 200 and "vendor/socket.io.min.js" in widget.text
    assert widget.headers["x-content-type-options"] == "nosniff"


def test_console_pages_carry_security_headers(web: Callable[..., TestClient]) -> None:
    response = web(embedded=True).get("/console/login")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert _csp(response)["frame-ancestors"] == "frame-ancestors 'none'"


# --- API docs -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_api_docs_are_off_by_default(web: Callable[..., TestClient], path: str) -> None:
    assert web(embedded=False, **STRONG).get(path).status_code == 404
    assert web(embedded=True).get(path).status_code == 404


def test_api_docs_on_request(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True, SHOPBOT_API_DOCS="1")
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200


# --- cookies --------------------------------------------------------------------------------


def _login_cookie(response: httpx.Response) -> str:
    return next(c for c in response.headers.get_list("set-cookie") if "console_login" in c)


def test_cookies_are_secure_outside_the_embedded_default(web: Callable[..., TestClient]) -> None:
    response = web(embedded=False, **STRONG).get("/console/login")
    assert "secure" in _login_cookie(response).lower()


def test_cookies_follow_https_in_the_embedded_default(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True)
    assert "secure" not in _login_cookie(client.get("/console/login")).lower()
    behind_tls = client.get("/console/login", headers={"x-forwarded-proto": "https"})
    assert "secure" in _login_cookie(behind_tls).lower()
    forced = web(embedded=True, SHOPBOT_COOKIE_SECURE="1").get("/console/login")
    assert "secure" in _login_cookie(forced).lower()


def test_demo_sign_in_cookie_is_secure_over_https(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True, SHOPBOT_CUSTOMER_TOKEN_SECRET=STRONG["SHOPBOT_SECRET_KEY"])
    signed = client.post(
        "/sign-in",
        data={"email": "noah.brown7922@example.com"},
        headers={"x-forwarded-proto": "https"},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and "secure" in signed.headers["set-cookie"].lower()


# --- console ?error= and ids ---------------------------------------------------------------

PHISH = "Your session expired. Call +1 555 0100 and give your password."


def test_console_shows_only_known_error_messages(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True)
    login(client, ADMIN)
    crafted = client.get("/console/", params={"error": PHISH})
    assert crafted.status_code == 200
    assert "Call +1 555 0100" not in crafted.text
    known = client.get("/console/", params={"error": "held"})
    assert "Another staff member holds this conversation." in known.text


def test_console_redirects_carry_error_codes_not_text(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True)
    csrf = login(client, ADMIN)
    response = client.post(
        "/console/conversations/1/tags",
        data={"tags": "<b>bad tag!</b>", "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.endswith("?error=bad_tags") or location.endswith("?error=not_found")


def _integer_routes() -> list[tuple[str, str]]:
    """Every route of the web app with an integer path parameter, each filled with a huge id.

    Derived from the app itself, so a route added later is covered too (the red-team probe
    found one the hand-written list had missed: /console/api/conversations/{id}/profile).
    """
    from fastapi.routing import APIRoute

    from bot.web.app import create_app

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield prefix, route
            elif hasattr(route, "original_router"):  # FastAPI's lazily included routers
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)

    out: list[tuple[str, str]] = []
    for prefix, route in walk(create_app().routes, ""):
        ints = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        if not ints:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            for value in (HUGE, str(2**31)):
                path = prefix + route.path_format
                for name in ints:
                    path = path.replace("{" + name + "}", value)
                out.append((method, re.sub(r"\{[^}]+\}", "x", path)))
    assert len(out) >= 14, out  # the console has at least seven such routes
    return out


@pytest.mark.parametrize("method,path", _integer_routes())
def test_oversized_ids_are_rejected_without_a_server_error(
    web: Callable[..., TestClient], method: str, path: str
) -> None:
    client = web(embedded=True)
    csrf = login(client, ADMIN)
    response = client.request(method, path, headers={"x-csrf-token": csrf})
    assert response.status_code in (404, 422), (response.status_code, response.text[:300])
    assert "Traceback" not in response.text


def test_oversized_event_id_in_a_form_is_rejected(web: Callable[..., TestClient]) -> None:
    client = web(embedded=True)
    csrf = login(client, ADMIN)
    response = client.post(
        "/console/conversations/1/correct",
        data={"event_id": HUGE, "intent": "greet", "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code in (303, 404, 422) and "Traceback" not in response.text


# --- the Rasa server of the running product --------------------------------------------------


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.mark.e2e
def test_no_secret_on_any_command_line(running_stack: Any) -> None:
    config = running_stack.config
    for name in ("rasa", "actions", "web"):
        cmdline = _cmdline(running_stack.process(name).pid)
        assert config.rasa_token not in cmdline, name
        assert config.action_token not in cmdline, name
        assert config.secret_key not in cmdline, name
    assert "--auth-token" not in _cmdline(running_stack.process("rasa").pid)


@pytest.mark.e2e
def test_rasa_cors_allows_only_the_web_app(running_stack: Any) -> None:
    url = f"{running_stack.rasa_url}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    evil = httpx.options(url, headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in evil.headers
    evil_get = httpx.get(f"{running_stack.rasa_url}/", headers={"Origin": "https://evil.example"})
    assert evil_get.headers.get("access-control-allow-origin") in (None, "")
    ours = httpx.options(url, headers={"Origin": running_stack.web_url, **preflight})
    assert ours.headers.get("access-control-allow-origin") == running_stack.web_url


@pytest.mark.e2e
def test_rasa_reaches_the_action_server_with_the_token(running_stack: Any) -> None:
    """The whole path still works: a greeting runs actions (greeting is an action here)."""
    reply = httpx.post(
        f"{running_stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": "h1-token-check", "message": "where is my order?"},
        timeout=120,
    )
    assert reply.status_code == 200 and reply.json(), reply.text
    assert "action server: refused" not in running_stack.tail("actions", 2000)


@pytest.mark.e2e
def test_process_logs_are_readable_by_their_owner_only(running_stack: Any) -> None:
    """Red-team finding: var/logs/*.log were world-readable (0644) and can quote shoppers."""
    logs = [p.log_path for p in running_stack._procs]
    assert logs
    for path in logs:
        assert path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))
