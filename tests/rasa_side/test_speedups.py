"""The Rasa speed-ups give Rasa's own results (run in the Rasa environment's Python).

The end-to-end proof is `rasa test core` in CI, which runs with the speed-ups installed
(the model's featurizer imports rasa_addons) and must predict all test stories.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.rasa_side.rasa_env import last_json, needs_rasa, run


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([str(Path(__file__).with_name("check_speedups.py"))], env_extra, timeout=300)


@needs_rasa
def test_patched_functions_return_what_rasa_returns() -> None:
    proc = _run({})
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = last_json(proc.stdout)
    assert summary["checked"] > 60 and summary["events"] > 20 and summary["slots"] >= 6


@needs_rasa
def test_speedups_can_be_turned_off() -> None:
    proc = _run({"SHOPBOT_RASA_SPEEDUPS": "0"})
    assert proc.returncode != 0
    assert "assert speedups._installed" in proc.stderr
