"""Live hand-off with two Rasa replicas: the shopper's socket on one, the console on the other.

docker-compose.yml runs ``rasa-1`` and ``rasa-2`` behind a proxy, and the web app sends staff
actions to ``rasa-1`` only (``SHOPBOT_RASA_URL``). A shopper whose Socket.IO connection landed
on the other replica must still get the agent's notices and replies: Rasa emits them on the
replica that received the HTTP call, and python-socketio's Redis client manager
(``SHOPBOT_SOCKETIO_REDIS_URL``, rasa_addons/socketio_channel.py) relays the emit to the
replica holding the socket. Here the console's own code (``bot.console.handoff``: ingest,
take, reply, hand back) talks to replica 0 while the shopper is connected to replica 1.

The control run starts the same stack without the relay and must show the failure (the reply
never arrives), so the first run proves the relay, not luck.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.infra import RedisServer
from bot.console.handoff import RasaEvents, finish, queue, reply, take
from bot.console.ingest import ingest_new_events
from bot.db.session import Database
from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig
from tests.conftest import TEST_CUSTOMER_TOKEN_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AGENT = "agent@shop.test"
REPLY_TIMEOUT_S = 90.0  # the first turn warms the model up
RELAY_TIMEOUT_S = 3.0  # a staff message must reach the shopper within this


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of our own: endpoints.yml fixes the key prefix, so isolate by server."""
    with RedisServer(workdir=Path("var") / "redis-handoff") as server:
        yield server


class Shopper:
    """A Socket.IO client in the widget's protocol (signed, server-issued session id)."""

    def __init__(self) -> None:
        import socketio

        self.client = socketio.AsyncClient()
        self.received: list[Any] = []
        self.signed = ""
        self._arrived = asyncio.Event()
        self._confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)

    async def _on_bot(self, data: Any) -> None:
        self.received.append(data)
        self._arrived.set()

    async def _on_confirm(self, signed: Any) -> None:
        self.signed = str(signed)
        self._confirmed.set()

    @property
    def sender_id(self) -> str:
        return self.signed.split(".")[0]

    async def connect(self, url: str) -> None:
        await self.client.connect(url, socketio_path="/socket.io", transports=["websocket"])
        await self.client.emit("session_request", {})
        await asyncio.wait_for(self._confirmed.wait(), timeout=30)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.signed})

    def mark(self) -> int:
        """Where the payloads received from now on begin (take it before acting)."""
        return len(self.received)

    async def wait_for(self, predicate: Any, timeout: float, since: int) -> Any | None:
        """The first payload received after ``since`` matching ``predicate``, else None."""
        start = since
        deadline = time.monotonic() + timeout
        while True:
            for payload in self.received[start:]:
                if predicate(payload):
                    return payload
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=left)


def _custom(payload: Any, kind: str, state: str | None = None) -> bool:
    ok = isinstance(payload, dict) and payload.get("type") == kind
    return ok and (state is None or payload.get("state") == state)


def _stack(database_url: str, redis_url: str, relay: bool, log_dir: Path) -> Stack:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    extra = {"SHOPBOT_CUSTOMER_TOKEN_SECRET": TEST_CUSTOMER_TOKEN_SECRET}
    if not relay:
        extra["SHOPBOT_SOCKETIO_REDIS_URL"] = ""  # each replica emits to its own sockets only
    return Stack(
        StackConfig(
            database_url=database_url,
            redis_url=redis_url,
            rasa_replicas=2,
            actions_replicas=1,
            with_web=False,
            log_dir=log_dir,
            extra_env=extra,
        )
    )


def _waiting_handoff(db: Database, sender_id: str, timeout_s: float = 30.0) -> int:
    """The console's queue row of this conversation (ingest of the replicas' events)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ingest_new_events(db)
        found = [h["id"] for h in queue(db) if h["sender_id"] == sender_id]
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError("the hand-off request never reached the console's queue")


async def _handoff_across_replicas(stack: Stack, relay: bool) -> dict[str, Any]:
    holding, other = stack.rasa_replica_urls[1], stack.rasa_replica_urls[0]
    console_rasa = RasaEvents(other, stack.config.rasa_token)  # what the web app calls
    db = Database(stack.config.database_url)
    shopper = Shopper()
    out: dict[str, Any] = {}
    try:
        await shopper.connect(holding)
        since = shopper.mark()
        await shopper.say("I want to talk to a human agent")
        requested = await shopper.wait_for(
            lambda p: _custom(p, "handoff", "requested"), REPLY_TIMEOUT_S, since
        )
        assert requested is not None, f"no hand-off notice: {shopper.received}"
        handoff_id = await asyncio.to_thread(_waiting_handoff, db, shopper.sender_id)

        # while waiting, the bot says nothing more ("hello?" is no new greeting)
        since = shopper.mark()
        await shopper.say("hello?")
        out["answered_while_waiting"] = await shopper.wait_for(lambda p: True, 4.0, since)

        since = shopper.mark()
        await asyncio.to_thread(take, db, console_rasa, handoff_id, AGENT)
        out["joined"] = await shopper.wait_for(
            lambda p: _custom(p, "handoff", "agent_joined"), RELAY_TIMEOUT_S, since
        )
        since = shopper.mark()
        started = time.perf_counter()
        await asyncio.to_thread(reply, db, console_rasa, handoff_id, AGENT, "Hi, Sam here.")
        out["reply"] = await shopper.wait_for(
            lambda p: _custom(p, "agent_message"), RELAY_TIMEOUT_S, since
        )
        out["reply_ms"] = (time.perf_counter() - started) * 1000
        if not relay:
            return out
        since = shopper.mark()
        await asyncio.to_thread(finish, db, console_rasa, handoff_id, AGENT, True)
        out["returned"] = await shopper.wait_for(
            lambda p: _custom(p, "handoff", "returned"), RELAY_TIMEOUT_S, since
        )
        since = shopper.mark()
        await shopper.say("what is your return policy?")
        out["bot_again"] = await shopper.wait_for(
            lambda p: isinstance(p, dict) and bool(p.get("text")), REPLY_TIMEOUT_S, since
        )
        out["after_reply"] = shopper.received[since:]
        return out
    finally:
        await shopper.client.disconnect()
        db.dispose()


@pytest.mark.parametrize("relay", [True, False], ids=["redis-relay", "no-relay-control"])
def test_staff_reply_reaches_a_shopper_on_the_other_replica(
    relay: bool, stack_database_url: str, private_redis: RedisServer, tmp_path: Path
) -> None:
    with _stack(stack_database_url, private_redis.url, relay, tmp_path) as stack:
        try:
            result = asyncio.run(_handoff_across_replicas(stack, relay))
        except AssertionError:
            print(stack.tail("rasa", 40), stack.tail("rasa-1", 40))
            raise
    assert result["answered_while_waiting"] is None, result["answered_while_waiting"]
    if not relay:
        # the control: without the relay the staff's messages are lost for this shopper
        assert result["joined"] is None and result["reply"] is None, result
        return
    assert result["joined"] is not None, "the agent's join notice did not cross replicas"
    assert result["reply"] == {
        "type": "agent_message",
        "text": "Hi, Sam here.",
        "from": "Support team",
    }
    assert result["returned"] is not None
    assert result["bot_again"] is not None, "handed back, the bot answers again"
    print(f"staff reply crossed replicas in {result['reply_ms']:.0f} ms")
