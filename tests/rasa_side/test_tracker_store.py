"""Our Redis tracker store behaves like Rasa's, and the Rasa server really uses it.

``check_tracker_store.py`` runs in the Rasa environment against the test Redis; the second
test loads ``endpoints.yml`` the way ``rasa run`` does (Rasa silently falls back to an
in-memory store when a custom tracker-store class cannot be imported).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.rasa_side.rasa_env import last_json, needs_rasa, redis_port_db, run


def _rasa_python(args: list[str], env_extra: dict[str, str] | None = None) -> object:
    proc = run(args, env_extra)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return last_json(proc.stdout)


@needs_rasa
@pytest.mark.parametrize("seed", [1, 2])
def test_same_trackers_documents_and_streamed_events_as_rasa(redis_url: str, seed: int) -> None:
    script = str(Path(__file__).with_name("check_tracker_store.py"))
    counts = _rasa_python([script, *redis_port_db(redis_url), str(seed)])
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
    port, db = redis_port_db(redis_url)
    env = {
        "SHOPBOT_REDIS_HOST": urlparse(redis_url).hostname or "127.0.0.1",
        "SHOPBOT_REDIS_PORT": port,
        "SHOPBOT_REDIS_DB": db,
        "SHOPBOT_REDIS_PASSWORD": "",
        "SHOPBOT_ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
        "SHOPBOT_ACTION_SERVER_TOKEN": "unused-" + "0" * 32,
        "SHOPBOT_LOCK_STORE": "rasa_addons.lock_store.AtomicRedisLockStore",
        "SHOPBOT_EVENTS_DB_URL": "sqlite:///unused.db",
    }
    loaded = _rasa_python(["-c", LOAD_FROM_ENDPOINTS], env)
    assert loaded == {
        "class": "rasa_addons.tracker_store.ShopbotRedisTrackerStore",
        "prefix": "shopbot:tracker:",
    }
