"""The shop's lock stores load through Rasa's own factory (``type: module.Class``) and audit.

Rasa builds a custom lock store as ``cls(endpoint_config=...)``; a store that only takes
RedisLockStore's keyword arguments makes ``rasa run`` crash at start-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pytest

from bot.settings import PROJECT_ROOT

RASA_PY = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = PROJECT_ROOT / "tests" / "scale" / "lock_store_loading.py"


def _load(redis_url: str, audit: bool) -> dict:
    if not RASA_PY.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    env = {"PYTHONPATH": str(PROJECT_ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if audit:
        env["SHOPBOT_LOCK_AUDIT"] = "1"
    done = subprocess.run(
        [str(RASA_PY), str(SCRIPT), port, "shopbotscale" + uuid.uuid4().hex[:8]],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_stores_load_from_endpoint_config_and_audit_when_asked(redis_url: str) -> None:
    result = _load(redis_url, audit=True)
    for path, info in result.items():
        assert info["class"] == path.rsplit(".", 1)[1]
        assert info["key_prefix"].startswith("shopbotscale")
        [record] = info["audit"]
        assert record["conversation"].startswith("conv-")
        assert 0.04 <= record["released"] - record["acquired"] < 5
        assert record["pid"] > 0


def test_audit_is_off_by_default(redis_url: str) -> None:
    result = _load(redis_url, audit=False)
    assert all(info["audit"] == [] for info in result.values())
