"""Drive conversations across Rasa replicas and check what the replicas left behind.

Helpers for ``test_multi_replica.py``: a burst driver (messages of ONE conversation sent at
the same moment to DIFFERENT replicas; ``bench.loadgen`` only sends one message at a time per
conversation), the event-log check (every user message once, each followed by exactly the
replies the shopper received) and the lock-audit check (no two handlings of one conversation
overlap in time).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis
from sqlalchemy import create_engine, text

from bench.loadgen import ensure_loopback
from bot.db.session import normalise_url

# One conversation: single messages go through the round-robin proxy; a tuple is a burst whose
# messages are sent at the same moment, message k straight to replica (conversation + k) % n.
# Texts are unique within a conversation so events can be matched to the HTTP replies.
SCRIPT: list[str | tuple[str, ...]] = [
    "hi",
    ("what is your return policy?", "how long does shipping take?"),
    "show me some backpacks",
    (
        "which payment methods do you accept?",
        "do you have a waterproof jacket?",
        "can I exchange an item for another size?",
    ),
]
AUDIT_KEY = "shopbot:lock:lock_audit"  # endpoints.yml key_prefix "shopbot" + Rasa's "lock:"


@dataclass
class Sent:
    sender: str
    text: str
    status: int
    replies: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status == 200 and len(self.replies) > 0


def script_messages() -> int:
    return sum(len(step) if isinstance(step, tuple) else 1 for step in SCRIPT)


async def _post(client: httpx.AsyncClient, base: str, sender: str, message: str) -> Sent:
    try:
        response = await client.post(
            f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}
        )
        replies = response.json() if response.status_code == 200 else []
        return Sent(sender, message, response.status_code, replies)
    except (httpx.HTTPError, ValueError) as exc:
        return Sent(sender, message, 0, [], type(exc).__name__)


async def _conversation(
    client: httpx.AsyncClient, proxy: str, replicas: Sequence[str], sender: str, number: int
) -> list[Sent]:
    out: list[Sent] = []
    for step in SCRIPT:
        if isinstance(step, str):
            out.append(await _post(client, proxy, sender, step))
            continue
        targets = [replicas[(number + k) % len(replicas)] for k in range(len(step))]
        out += await asyncio.gather(
            *(_post(client, url, sender, msg) for url, msg in zip(targets, step, strict=True))
        )
    return out


async def drive(
    proxy: str, replicas: Sequence[str], senders: Sequence[str], timeout_s: float = 120.0
) -> list[Sent]:
    """All conversations at once; returns every message sent with its HTTP outcome."""
    for url in (proxy, *replicas):
        ensure_loopback(url)
    limits = httpx.Limits(max_connections=4 * len(senders))
    async with httpx.AsyncClient(timeout=timeout_s, limits=limits) as client:
        per_conversation = await asyncio.gather(
            *(_conversation(client, proxy, replicas, s, i) for i, s in enumerate(senders))
        )
    return [sent for conversation in per_conversation for sent in conversation]


def _reply_key(text_: str | None, custom: Any) -> tuple[str | None, str | None]:
    return text_, json.dumps(custom, sort_keys=True) if custom is not None else None


def event_log_defects(database_url: str, sent: Sequence[Sent]) -> list[str]:
    """What is wrong in the ``events`` table for these conversations (empty list: all good).

    Per conversation, in id order: every user message exactly once, and between a user event
    and the next one exactly the bot replies that this message's HTTP response carried.
    """
    expected: dict[str, dict[str, tuple]] = defaultdict(dict)
    for s in sent:
        expected[s.sender][s.text] = tuple(
            _reply_key(r.get("text"), r.get("custom")) for r in s.replies
        )
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT sender_id, data FROM events WHERE sender_id = ANY(:senders) ORDER BY id"
                ),
                {"senders": list(expected)},
            ).all()
    finally:
        engine.dispose()
    segments: dict[str, list[tuple[str, list[tuple]]]] = defaultdict(list)
    for sender, data in rows:
        event = json.loads(data)
        if event.get("event") == "user":
            segments[sender].append((event.get("text") or "", []))
        elif event.get("event") == "bot" and segments[sender]:
            custom = (event.get("data") or {}).get("custom")
            segments[sender][-1][1].append(_reply_key(event.get("text"), custom))
    defects: list[str] = []
    for sender, want in expected.items():
        got = segments.get(sender, [])
        texts = [t for t, _ in got]
        for message in want:
            if texts.count(message) != 1:
                defects.append(f"{sender}: {message!r} logged {texts.count(message)} times")
        for message, bot in got:
            if message in want and tuple(bot) != want[message]:
                defects.append(
                    f"{sender}: after {message!r} the log has {len(bot)} bot events, "
                    f"the shopper got {len(want[message])} replies (or other texts)"
                )
        extra = [t for t in texts if t not in want]
        if extra:
            defects.append(f"{sender}: unexpected user events {extra}")
    return defects


@dataclass
class Audit:
    records: list[dict[str, Any]]
    overlaps: list[tuple[dict[str, Any], dict[str, Any]]]

    @property
    def pids(self) -> set[int]:
        return {r["pid"] for r in self.records}

    @property
    def cross_replica_overlaps(self) -> int:
        return sum(a["pid"] != b["pid"] for a, b in self.overlaps)


def lock_audit(redis_url: str, senders: Sequence[str]) -> Audit:
    """The audited [acquired, released] intervals of these conversations, and the overlaps."""
    client = redis.Redis.from_url(redis_url)
    try:
        raw = client.lrange(AUDIT_KEY, 0, -1)
    finally:
        client.close()
    wanted = set(senders)
    records = [r for r in (json.loads(x) for x in raw) if r["conversation"] in wanted]
    by_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_conversation[record["conversation"]].append(record)
    overlaps = []
    for intervals in by_conversation.values():
        intervals.sort(key=lambda r: r["acquired"])
        for i, first in enumerate(intervals):
            for second in intervals[i + 1 :]:
                if second["acquired"] < first["released"]:
                    overlaps.append((first, second))
    return Audit(records, overlaps)


class SlowLink:
    """A TCP link to Redis that delays every client->server chunk, like a Redis on another host.

    On one machine the stock lock store's GET->SET window is a fraction of a millisecond,
    much shorter than the jitter between two replicas, so its race shows only rarely. Real
    replicas reach Redis over a network; a few milliseconds per request widen the window to
    what a deployment sees. Both lock stores get the same link.
    """

    def __init__(self, target_port: int, delay_s: float = 0.005) -> None:
        self.target_port = target_port
        self.delay_s = delay_s
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, delay: float):
            try:
                while data := await src.read(65536):
                    if delay:
                        await asyncio.sleep(delay)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, self.delay_s), pipe(up_reader, writer, 0.0))

    def __enter__(self) -> SlowLink:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("slow link did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
