"""Running code in the Rasa environment (``.venv-rasa``, Python 3.10) from the 3.11 suite.

Rasa-side code (``rasa_addons``) can only be imported by the Rasa environment's Python, so
these tests run a script there and read the JSON line it prints last.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
needs_rasa = pytest.mark.skipif(
    not RASA_PYTHON.exists(), reason="the Rasa environment is not set up"
)


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(extra or {})}


def run(
    args: list[str],
    extra_env: dict[str, str] | None = None,
    timeout: float = 600,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python args...`` in the Rasa environment, from the project root, output captured."""
    return subprocess.run(
        [str(RASA_PYTHON), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(extra_env),
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )


def start(args: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The same as ``run`` without waiting (for several processes at once)."""
    return subprocess.Popen(
        [str(RASA_PYTHON), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(extra_env),
        cwd=PROJECT_ROOT,
    )


def last_json(stdout: str) -> Any:
    """The JSON value of the last line a script printed."""
    return json.loads(stdout.strip().splitlines()[-1])


def redis_port_db(redis_url: str) -> tuple[str, str]:
    """Port and database number of a ``redis://host:port/db`` URL, as script arguments."""
    url = urlparse(redis_url)
    return str(url.port or 6379), (url.path or "/0").strip("/") or "0"
