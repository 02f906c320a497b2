"""Two Rasa replicas and two action servers on one Redis and one PostgreSQL, a proxy in front.

Many conversations at once; single messages go round-robin through the proxy, and bursts of
2-3 messages of ONE conversation hit DIFFERENT replicas at the same moment. With the atomic
lock store every turn is answered, the event log of every conversation is complete and in
order, and the lock audit shows no two handlings of one conversation overlapping. The same
load with Rasa's stock ``RedisLockStore`` (audited subclass, stock locking) must show the
failure: the test asserts that it is observed. The replicas reach Redis through a link with
5 ms of latency per request (``SlowLink``, as over a network), which makes the stock store's
race show in the first round or two instead of once in hundreds of bursts.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.infra import RedisServer
from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig
from tests.conftest import TEST_CUSTOMER_TOKEN_SECRET
from tests.scale.multi_replica import (
    SlowLink,
    drive,
    event_log_defects,
    lock_audit,
    script_messages,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ATOMIC = "rasa_addons.lock_store.AtomicRedisLockStore"
STOCK = "rasa_addons.lock_store.AuditedRedisLockStore"  # rasa.core.lock_store.RedisLockStore
CONVERSATIONS = 30
REDIS_LINK_DELAY_S = 0.005
STOCK_MAX_ROUNDS = 4  # the stock race is probabilistic: more bursts until it shows


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of our own: endpoints.yml fixes the key prefix, so isolate by server."""
    with RedisServer(workdir=Path("var") / "redis-scale") as server:
        yield server


def _stack(database_url: str, redis_url: str, lock_store: str, log_dir: Path) -> Stack:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    return Stack(
        StackConfig(
            database_url=database_url,
            redis_url=redis_url,
            lock_store=lock_store,
            rasa_replicas=2,
            actions_replicas=2,
            with_web=False,
            log_dir=log_dir,
            extra_env={
                "SHOPBOT_LOCK_AUDIT": "1",
                "SHOPBOT_CUSTOMER_TOKEN_SECRET": TEST_CUSTOMER_TOKEN_SECRET,
            },
        )
    )


def _round(stack: Stack, database_url: str, redis_url: str, label: str) -> dict:
    senders = [f"mr-{label}-{uuid.uuid4().hex[:8]}-{i}" for i in range(CONVERSATIONS)]
    started = time.perf_counter()
    sent = asyncio.run(drive(stack.rasa_url, stack.rasa_replica_urls, senders))
    print(f"{label}: {len(sent)} messages in {time.perf_counter() - started:.1f} s")
    audit = lock_audit(redis_url, senders)
    return {
        "sent": sent,
        "unanswered": [s for s in sent if not s.answered],
        "defects": event_log_defects(database_url, sent),
        "audit": audit,
    }


@pytest.mark.parametrize("lock_store", [ATOMIC, STOCK], ids=["atomic", "stock"])
def test_one_conversation_is_never_handled_by_two_replicas_at_once(
    lock_store: str, stack_database_url: str, private_redis: RedisServer, tmp_path: Path
) -> None:
    """Atomic store: everything correct. Stock store: the race must be observed."""
    stock = lock_store == STOCK
    observed: list[str] = []
    rounds = 0
    # the replicas reach Redis over a link with network-like latency (see SlowLink)
    with (
        SlowLink(private_redis.port, REDIS_LINK_DELAY_S) as link,
        _stack(stack_database_url, link.url, lock_store, tmp_path) as stack,
    ):
        while rounds < (STOCK_MAX_ROUNDS if stock else 1) and not observed:
            rounds += 1
            result = _round(stack, stack_database_url, private_redis.url, f"r{rounds}")
            audit = result["audit"]
            if audit.cross_replica_overlaps:
                observed.append(f"{audit.cross_replica_overlaps} overlapping handlings")
            if result["defects"]:
                observed.append(f"{len(result['defects'])} event-log defects")
                print("\n".join(result["defects"][:5]))
            if result["unanswered"]:
                observed.append(f"{len(result['unanswered'])} unanswered turns")
        rasa_counts = stack.proxy_stats("rasa-proxy")["requests"]
        action_counts = stack.proxy_stats("actions-proxy")["requests"]
    print(f"{lock_store} after {rounds} round(s): {observed or 'no defect'}")
    # the proxies really spread the load over both replicas of each tier
    assert len(rasa_counts) == 2 and all(n > 0 for n in rasa_counts.values())
    assert len(action_counts) == 2 and all(n > 0 for n in action_counts.values())
    if stock:
        assert observed, f"no race observed in {rounds} rounds of {CONVERSATIONS} conversations"
        return
    sent = result["sent"]
    assert len(sent) == CONVERSATIONS * script_messages()
    assert result["unanswered"] == [], result["unanswered"][:5]
    assert result["defects"] == [], result["defects"][:10]
    # the audit saw every handled message, on both replicas, and none overlapped
    assert len(audit.records) == len(sent)
    assert len(audit.pids) == 2
    assert audit.overlaps == [], audit.overlaps[:5]
