"""Issue 14 finding 11: login limits behind a proxy, atomic counting, spoofed forwarded headers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from bot.bootstrap import install
from bot.console import auth
from bot.db.session import Database
from bot.safety.client_address import client_address, parse_networks
from bot.web.limits import RequestLimits
from tests.console.conftest import ADMIN

PROXY = "10.1.2.3"


@pytest.fixture
def behind_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app is configured to trust one reverse proxy (and nobody else)."""
    monkeypatch.setenv("SHOPBOT_TRUSTED_PROXIES", f"{PROXY}/32")
    install(None)  # the process's services read the environment again
    yield
    monkeypatch.delenv("SHOPBOT_TRUSTED_PROXIES")
    install(None)


def _post_login(client: TestClient, email: str, password: str, xff: str | None) -> int:
    headers = {"X-Forwarded-For": xff} if xff else {}
    csrf = client.get("/console/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf": csrf},
        headers=headers,
        follow_redirects=False,
    ).status_code


def test_parallel_attempts_are_checked_at_most_limit_times(staff: Database) -> None:
    """8 simultaneous wrong guesses for one account: at most 5 reach the password check."""
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            auth.login(staff, ADMIN[0], "wrong-password-x", "192.0.2.10", 3600)
            outcomes.append("checked")
        except auth.RateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8
    assert outcomes.count("checked") <= auth.MAX_FAILS_PER_ACCOUNT, outcomes
    assert outcomes.count("limited") >= 8 - auth.MAX_FAILS_PER_ACCOUNT


def test_attacker_behind_trusted_proxy_cannot_lock_out_others(
    app: FastAPI, behind_proxy: None
) -> None:
    proxy = TestClient(app, client=(PROXY, 40000))
    statuses = [
        _post_login(proxy, ADMIN[0], f"guess-number-{i}", "203.0.113.66") for i in range(25)
    ]
    assert statuses[: auth.MAX_FAILS_PER_ACCOUNT] == [303] * auth.MAX_FAILS_PER_ACCOUNT
    assert set(statuses[auth.MAX_FAILS_PER_ACCOUNT :]) == {429}, "the attacker is slowed down"
    # The real admin, at another address behind the same proxy, still gets in.
    admin = TestClient(app, client=(PROXY, 40001))
    assert _post_login(admin, ADMIN[0], ADMIN[1], "198.51.100.7") == 303
    # Other accounts from other addresses are unaffected too.
    other = TestClient(app, client=(PROXY, 40002))
    assert _post_login(other, "agent@shop.test", "agent-password-1", "198.51.100.8") == 303


def test_forwarded_for_from_an_untrusted_peer_is_ignored(app: FastAPI, behind_proxy: None) -> None:
    """A client that is not the proxy cannot escape its limit by inventing X-Forwarded-For."""
    direct = TestClient(app, client=("192.0.2.50", 5000))
    for i in range(auth.MAX_FAILS_PER_IP):
        status = _post_login(direct, f"nobody{i}@x.test", "wrong-password", f"198.18.0.{i + 1}")
        assert status == 303
    assert _post_login(direct, ADMIN[0], ADMIN[1], "198.18.1.1") == 429


def test_client_address_walks_forwarded_for_from_the_right() -> None:
    nets = parse_networks([f"{PROXY}/32", "10.9.0.0/16"])
    # Untrusted peer: header ignored.
    assert client_address("192.0.2.50", "1.2.3.4", nets) == "192.0.2.50"
    # Trusted peer: the rightmost untrusted hop; a spoofed left part is never believed.
    assert client_address(PROXY, "6.6.6.6, 203.0.113.66", nets) == "203.0.113.66"
    assert client_address(PROXY, "203.0.113.66, 10.9.1.1", nets) == "203.0.113.66"
    assert client_address(PROXY, "garbage, 10.9.1.1", nets) == "10.9.1.1"
    assert client_address(PROXY, None, nets) == PROXY
    assert client_address(PROXY, "1.2.3.4", ()) == PROXY


def test_write_rate_limit_keys_on_the_client_behind_the_proxy() -> None:
    async def ok(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    inner = FastAPI()
    inner.add_api_route("/w", ok, methods=["POST"])
    app = RequestLimits(inner, write_limit=3, window_s=60, trusted_proxies=[f"{PROXY}/32"])
    proxy = TestClient(app, client=(PROXY, 1))
    for _ in range(3):
        assert proxy.post("/w", headers={"X-Forwarded-For": "203.0.113.66"}).status_code == 200
    assert proxy.post("/w", headers={"X-Forwarded-For": "203.0.113.66"}).status_code == 429
    assert proxy.post("/w", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 200
    spoofer = TestClient(app, client=("192.0.2.50", 1))
    codes = [
        spoofer.post("/w", headers={"X-Forwarded-For": f"198.18.0.{i}"}).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
