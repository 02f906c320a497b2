"""Our Redis tracker store behaves like Rasa's, and the Rasa server really uses it.

``check_tracker_store.py`` runs in the Rasa environment against the test Redis; the second
test loads ``endpoints.yml`` the way ``rasa run`` does (Rasa silently falls back to an
in-memory store when a custom tracker-store class cannot be imported).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
needs_rasa = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)


def _rasa_python(args: list[str], env_extra: dict[str, str] | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env_extra or {})}
    proc = subprocess.run(
        [str(RASA_PYTHON), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


@needs_rasa
@pytest.mark.parametrize("seed", [1, 2])
def test_same_trackers_documents_and_streamed_events_as_rasa(redis_url: str, seed: int) -> None:
    url = urlparse(redis_url)
    script = str(Path(__file__).with_name("check_tracker_store.py"))
    db = (url.path or "/0").strip("/") or "0"
    counts = json.loads(_rasa_python([script, str(url.port or 6379), db, str(seed)]))
    assert counts["saves"] > 300 and counts["events_streamed"] > 1000
    # every path was taken: kept trackers used and refused, older sessions split off and merged
    assert counts["prefetched"] > 100 and counts["stale_prefetch"] > 20
    assert counts["multi_session"] > 100 and counts["merged"] > 100


LOAD_FROM_ENDPOINTS = r"""
import json
from rasa.core.tracker_store import create_tracker_store
from rasa.utils.endpoints import read_endpoint_config
store = create_tracker_store(read_endpoint_config("endpoints.yml", "tracker_store"))
inner = getattr(store, "_tracker_store", store)
print(json.dumps({"class": type(inner).__module__ + "." + type(inner).__name__,
                  "prefix": inner.key_prefix}))
"""


@needs_rasa
def test_rasa_loads_our_store_from_endpoints_yml(redis_url: str) -> None:
    url = urlparse(redis_url)
    env = {
        "SHOPBOT_REDIS_HOST": url.hostname or "127.0.0.1",
        "SHOPBOT_REDIS_PORT": str(url.port or 6379),
        "SHOPBOT_REDIS_DB": (url.path or "/0").strip("/") or "0",
        "SHOPBOT_REDIS_PASSWORD": "",
        "SHOPBOT_ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
        "SHOPBOT_LOCK_STORE": "rasa_addons.lock_store.AtomicRedisLockStore",
        "SHOPBOT_EVENTS_DB_URL": "sqlite:///unused.db",
    }
    loaded = json.loads(_rasa_python(["-c", LOAD_FROM_ENDPOINTS], env))
    assert loaded == {
        "class": "rasa_addons.tracker_store.ShopbotRedisTrackerStore",
        "prefix": "shopbot:tracker:",
    }
