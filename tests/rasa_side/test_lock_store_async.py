"""The atomic lock store's asyncio path still serves one message per conversation at a time.

Two processes (two "replicas"), each with many concurrent message handlers on the same few
conversations, take ``AtomicRedisLockStore.lock`` as Rasa's agent does; every holder checks
in Redis that nobody else holds that conversation. Afterwards no lock key is left behind.
"""

from __future__ import annotations

import uuid

from tests.rasa_side.rasa_env import last_json, needs_rasa, redis_port_db, run, start

SCRIPT = r"""
import asyncio, json, random, sys
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

port, db, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
config = EndpointConfig(url="127.0.0.1", type="rasa_addons.lock_store.AtomicRedisLockStore",
                        port=port, db=db, key_prefix=prefix)
store = LockStore.create(config)
plain = redis.Redis(host="127.0.0.1", port=int(port), db=int(db))
rng = random.Random()
served, overlaps = 0, 0

async def handler(n):
    global served, overlaps
    for _ in range(4):
        conversation = f"conv{rng.randint(0, 2)}"
        async with store.lock(conversation, wait_time_in_seconds=0.005):
            if plain.incr(f"{prefix}:inside:{conversation}") != 1:
                overlaps += 1
            await asyncio.sleep(rng.random() / 250)
            plain.decr(f"{prefix}:inside:{conversation}")
            served += 1

async def main():
    await asyncio.gather(*(handler(n) for n in range(15)))

asyncio.run(main())
print(json.dumps({"served": served, "overlaps": overlaps, "class": type(store).__name__}))
"""


@needs_rasa
def test_two_replicas_never_hold_one_conversation_at_once(redis_url: str) -> None:
    import redis

    port, db = redis_port_db(redis_url)
    prefix = "locktest" + uuid.uuid4().hex[:8]
    procs = [start(["-c", SCRIPT, port, db, prefix]) for _ in range(2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        results.append(last_json(out))
    assert results == [{"served": 60, "overlaps": 0, "class": "AtomicRedisLockStore"}] * 2
    client = redis.Redis.from_url(redis_url)
    left = [k for k in client.scan_iter(f"{prefix}:lock:*")]
    client.delete(*client.keys(f"{prefix}:inside:*") or [b"none"])
    assert left == []


SYNC_SCRIPT = r"""
import json, sys
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

port, db, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
ATOMIC = "rasa_addons.lock_store.AtomicRedisLockStore"
config = EndpointConfig(url="127.0.0.1", type=ATOMIC, port=port, db=db, key_prefix=prefix)
store = LockStore.create(config)
first, second = store.issue_ticket("c"), store.issue_ticket("c")
lock = store.get_lock("c")
served_first = [lock.is_locked(first), lock.is_locked(second)]
store.cleanup("c", first)
second_now = store.get_lock("c").is_locked(second)
store.cleanup("c", second)
print(json.dumps({"tickets": [first, second], "locked": served_first,
                  "second_after_first": second_now, "gone": store.get_lock("c") is None}))
"""


@needs_rasa
def test_rasas_synchronous_lock_methods_still_work(redis_url: str) -> None:
    port, db = redis_port_db(redis_url)
    proc = run(["-c", SYNC_SCRIPT, port, db, "synctest" + uuid.uuid4().hex[:8]], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert last_json(proc.stdout) == {
        "tickets": [0, 1],
        "locked": [False, True],
        "second_after_first": False,
        "gone": True,
    }
