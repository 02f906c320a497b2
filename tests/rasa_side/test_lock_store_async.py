"""The atomic lock store's asyncio path still serves one message per conversation at a time.

Two processes (two "replicas"), each with many concurrent message handlers on the same few
conversations, take ``AtomicRedisLockStore.lock`` as Rasa's agent does; every holder checks
in Redis that nobody else holds that conversation. Afterwards no lock key is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

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


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_two_replicas_never_hold_one_conversation_at_once(redis_url: str) -> None:
    import redis

    url = urlparse(redis_url)
    port, db = str(url.port or 6379), (url.path or "/0").strip("/") or "0"
    prefix = "locktest" + uuid.uuid4().hex[:8]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    procs = [
        subprocess.Popen(
            [str(RASA_PYTHON), "-c", SCRIPT, port, db, prefix],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
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


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_rasas_synchronous_lock_methods_still_work(redis_url: str) -> None:
    url = urlparse(redis_url)
    port, db = str(url.port or 6379), (url.path or "/0").strip("/") or "0"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run(
        [str(RASA_PYTHON), "-c", SYNC_SCRIPT, port, db, "synctest" + uuid.uuid4().hex[:8]],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {
        "tickets": [0, 1],
        "locked": [False, True],
        "second_after_first": False,
        "gone": True,
    }
