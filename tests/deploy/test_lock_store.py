"""The Rasa-side lock store under replica races, on the machine's real Redis.

Rasa runs in .venv-rasa, so the race runs there in a subprocess and reports JSON.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from bot.settings import PROJECT_ROOT

RASA_PY = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = PROJECT_ROOT / "tests" / "deploy" / "lockstore_race.py"


def race(store: str, lock_lifetime_s: float, *extra: str) -> dict:
    if not RASA_PY.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    prefix = "shopbotlt" + uuid.uuid4().hex[:8]
    done = subprocess.run(
        [str(RASA_PY), str(SCRIPT), store, "6379", prefix, str(lock_lifetime_s), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_atomic_lock_store_serialises_one_conversation_across_replicas(redis_url: str) -> None:
    result = race("rasa_addons.lock_store.AtomicRedisLockStore", lock_lifetime_s=120)
    assert result["errors"] == []
    assert result["processed"] == result["expected"]
    assert result["overlapping_sections"] == 0
    assert result["duplicate_tickets"] == 0


def test_stock_redis_lock_store_loses_mutual_exclusion(redis_url: str) -> None:
    """The failure the atomic store fixes: Rasa 3.6's RedisLockStore under the same race."""
    result = race("rasa.core.lock_store.RedisLockStore", 60, "tickets-only")
    # Two replicas holding the same ticket number are both "being served" at once.
    assert result["duplicate_tickets"] > 0, f"expected the stock store to race, got {result}"
