"""The action server (issue 14, finding 1): only Rasa, holding the shared token, may call it.

A real ``python -m actions.server`` over a PostgreSQL shop with Redis configured (so not the
embedded default): the attack of the finding (one crafted ``/webhook`` call that cancels a
customer's order) is refused without / with a wrong token and the order stays as it was; with
the token the same call works. Also: it listens on 127.0.0.1 by default, and refuses to start
with a missing, placeholder or short token.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.server import APOLOGY
from bot.catalog.keyword import ensure_search_indexes
from bot.db import models as m
from bot.db.session import Database
from bot.dialogue.plan import plan_fingerprint
from bot.runtime.stack import free_port
from bot.settings import PROJECT_ROOT
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data
from bot.texts import t
from tests.actions.conftest import find_order
from tests.conftest import REDIS_TEST_URL, _create_pg_database, _drop_pg_database

DEMO_DIR = PROJECT_ROOT / "data" / "shop" / "demo"
TOKEN = secrets.token_hex(32)


def _env(database_url: str, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_TEST_URL,  # not the embedded default: the token is mandatory
        TF_CPP_MIN_LOG_LEVEL="2",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    if token is not None:
        env["SHOPBOT_ACTION_SERVER_TOKEN"] = token
    return env


def _start(env: dict[str, str], *args: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    cmd = [sys.executable, "-m", "actions.server", "--port", str(port), *args]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"action server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    _stop(proc)
    pytest.fail(f"action server did not come up:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def shop_url() -> Iterator[str]:
    """A PostgreSQL database of its own with the demo shop (the server holds it open)."""
    from bot import schema

    name, url = _create_pg_database("shopbot_actsec")
    db = Database(url)
    schema.create_all(db)
    load_shop_data(db, read_demo(DEMO_DIR))
    ensure_search_indexes(db)
    db.dispose()
    yield url
    _drop_pg_database(name)


@pytest.fixture(scope="module")
def server(shop_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The running server: (its log file, its base URL)."""
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    proc, port = _start(_env(shop_url, TOKEN), log=log)
    yield log, f"http://127.0.0.1:{port}"
    _stop(proc)


def _domain() -> dict[str, Any]:
    import yaml

    merged: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "actions": []}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(data.get(key) or {})
        merged["actions"] += data.get("actions") or []
    return merged


def _cancel_call(order: m.Order) -> dict[str, Any]:
    """The finding's attack: a tracker claiming the order's customer, confirmed cancel."""
    message = {"text": "yes", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    slots = {
        "customer_id": order.customer_id,
        "order_id": order.id,
        "cancel_reason": "ordered by mistake",
        "confirmed": True,
    }
    # As if the preview had been shown (finding 4): the token is the only thing missing.
    slots["previewed_plan"] = plan_fingerprint("cancel", slots)
    return {
        "next_action": "action_cancel_order",
        "sender_id": "attacker",
        "version": "3.6.21",
        "domain": _domain(),
        "tracker": {
            "sender_id": "attacker",
            "slots": slots,
            "latest_message": message,
            "events": [{"event": "user", "text": "yes", "parse_data": message}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def _status(url: str, order_id: str) -> str:
    db = Database(url)
    try:
        with db.session() as s:
            order = s.get(m.Order, order_id)
            assert order is not None
            return order.status
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer " + "0" * 64}, {"Authorization": TOKEN}, {"token": TOKEN}],
    ids=["no-token", "wrong-token", "no-bearer-scheme", "other-header"],
)
def test_webhook_without_the_token_is_refused_and_changes_nothing(
    server: tuple[Path, str], shop_url: str, headers: dict[str, str]
) -> None:
    _, base = server
    db = Database(shop_url)
    order = find_order(db, "pending")
    db.dispose()
    response = httpx.post(f"{base}/webhook", json=_cancel_call(order), headers=headers, timeout=30)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}
    assert order.customer_id not in response.text
    assert _status(shop_url, order.id) == "pending"


def test_webhook_with_the_token_runs_the_action(server: tuple[Path, str], shop_url: str) -> None:
    _, base = server
    db = Database(shop_url)
    order = find_order(db, "pending")
    db.dispose()
    response = httpx.post(
        f"{base}/webhook",
        json=_cancel_call(order),
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert _status(shop_url, order.id) == "cancelled"


def test_action_list_needs_the_token_and_health_does_not(
    server: tuple[Path, str],
) -> None:
    _, base = server
    assert httpx.get(f"{base}/health").status_code == 200
    assert httpx.get(f"{base}/actions").status_code == 401
    listed = httpx.get(f"{base}/actions", headers={"Authorization": f"Bearer {TOKEN}"})
    assert listed.status_code == 200
    assert {"name": "action_cancel_order"} in listed.json()


def test_refusals_are_logged_without_the_token(server: tuple[Path, str]) -> None:
    log, base = server
    httpx.post(f"{base}/webhook", json={}, headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    time.sleep(0.5)
    text = log.read_text(errors="replace")
    assert "refused POST /webhook" in text and "wrong token" in text
    assert TOKEN not in text


def _listen_address(port: int) -> str:
    """The local address a LISTEN socket on ``port`` is bound to, from /proc/net/tcp{,6}."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if int(port_hex, 16) == port and fields[3] == "0A":
                return address
    raise AssertionError(f"nothing listens on {port}")


def test_launcher_binds_loopback_by_default(shop_url: str, tmp_path: Path) -> None:
    proc, port = _start(_env(shop_url, TOKEN), log=tmp_path / "default-host.log")
    try:
        assert _listen_address(port) == "0100007F"  # 127.0.0.1, not 0.0.0.0 (00000000)
    finally:
        _stop(proc)


@pytest.mark.parametrize(
    "token", [None, "", "change-me", "dev-only-change-me", "short-token-123"], ids=repr
)
def test_start_up_refused_without_a_proper_token(
    shop_url: str, tmp_path: Path, token: str | None
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", str(free_port())],
        cwd=PROJECT_ROOT, env=_env(shop_url, token), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "SHOPBOT_ACTION_SERVER_TOKEN" in output
    if token:
        assert token not in output.replace("SHOPBOT_ACTION_SERVER_TOKEN", "")


def test_an_action_that_fails_answers_with_an_apology_and_echoes_nothing(
    server: tuple[Path, str], shop_url: str
) -> None:
    """Red-team finding: a crafted entity value (a number where text is expected) made an
    action raise; rasa_sdk answered 500 with the whole request (the shopper's tracker), Rasa
    logged it and the shopper read "technical problem"."""
    log, base = server
    db = Database(shop_url)
    order = find_order(db, "pending")
    db.dispose()
    call = _cancel_call(order)
    call["next_action"] = "action_order_status"
    call["tracker"]["slots"] = {"customer_id": order.customer_id, "order_id": 1.5}
    response = httpx.post(
        f"{base}/webhook", json=call, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["events"] == []
    assert [r["text"] for r in body["responses"]] == [t(APOLOGY)]
    assert order.customer_id not in response.text
    time.sleep(0.5)
    text = log.read_text(errors="replace")
    assert "action action_order_status failed" in text
    assert order.customer_id not in text  # the tracker is not logged
