"""Runs the widget's JavaScript unit tests (node's built-in test runner) inside pytest."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

WIDGET_TESTS = Path(__file__).resolve().parent


def test_widget_render_functions_pass_under_node() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required for the widget tests (node 20+)")
    result = subprocess.run(
        [node, "--test", str(WIDGET_TESTS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    summary = "\n".join(line for line in result.stdout.splitlines() if line.startswith("# "))
    assert result.returncode == 0, f"node --test failed:\n{result.stdout[-4000:]}\n{result.stderr}"
    assert "# fail 0" in summary
    passed = int(
        next(line for line in summary.splitlines() if line.startswith("# pass")).split()[-1]
    )
    assert passed >= 15, summary
