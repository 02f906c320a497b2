"""The Rasa speed-ups give Rasa's own results (run in the Rasa environment's Python).

The end-to-end proof is `rasa test core` in CI, which runs with the speed-ups installed
(the model's featurizer imports rasa_addons) and must predict all test stories.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env_extra}
    script = Path(__file__).with_name("check_speedups.py")
    return subprocess.run(
        [str(RASA_PYTHON), str(script)], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_patched_functions_return_what_rasa_returns() -> None:
    proc = _run({})
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["checked"] > 60 and summary["events"] > 20 and summary["slots"] >= 6


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="the Rasa environment is not set up")
def test_speedups_can_be_turned_off() -> None:
    proc = _run({"SHOPBOT_RASA_SPEEDUPS": "0"})
    assert proc.returncode != 0
    assert "assert speedups._installed" in proc.stderr
