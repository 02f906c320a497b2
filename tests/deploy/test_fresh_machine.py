"""A fresh machine: `make setup` brings the system packages, evaluations leave git clean.

Regression tests for issue 14, items 13 and 14: `make test` failed 13 tests on a new machine
because only `.ci/run` installed Chromium and docker-compose, and evaluations rewrote tracked
reports (docs/retrieval.md, bench/results/*).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "system-packages.sh"
# External programs the test suite calls (tests/browser, tests/deploy, scripts/services.sh).
NEEDED_COMMANDS = ("chromium", "docker-compose", "redis-server", "redis-cli", "pg_isready")


def _make_dry_run(target: str) -> str:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=PROJECT_ROOT, capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("target", ["setup", "test"])
def test_setup_and_test_install_system_packages(target: str) -> None:
    assert "scripts/system-packages.sh" in _make_dry_run(target)


def test_test_starts_services_it_needs() -> None:
    assert "scripts/services.sh" in _make_dry_run("test")


def test_ci_adds_nothing_but_make_test() -> None:
    """What the tests need comes from `make`, so a developer's `make test` equals CI's."""
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "apt-get" not in ci and "redis-server" not in ci
    assert "make test" in ci


def test_system_package_script_names_every_missing_package(tmp_path: Path) -> None:
    """Without the programs and without apt, it fails and prints the exact apt-get command."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "sort", "id"):
        (bin_dir / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    done = subprocess.run(
        [str(bin_dir / "bash"), str(SCRIPT)],
        env={"PATH": str(bin_dir)}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    for package in ("chromium", "docker-compose", "redis-server", "postgresql-client"):
        assert package in done.stderr
    assert "apt-get install" in done.stderr


def test_system_package_script_covers_the_commands_tests_use() -> None:
    text = SCRIPT.read_text()
    for command in NEEDED_COMMANDS:
        assert f"[{command}]=" in text, command


def _git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_default_outputs_of_evaluations_and_benchmarks_are_ignored() -> None:
    from bench import run_all
    from bot.catalog import evaluate as retrieval
    from bot.cli import sentiment

    for path in (run_all.RUN_OUTPUT, retrieval.REPORT_FILE, sentiment.REPORT_FILE):
        rel = path.relative_to(PROJECT_ROOT)
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(rel)], cwd=PROJECT_ROOT
        ).returncode  # fmt: skip
        assert ignored == 0, f"{rel} is not ignored by git"


@pytest.mark.skipif(not (PROJECT_ROOT / ".git").exists(), reason="needs the git work tree")
def test_make_eval_sentiment_leaves_the_tree_clean() -> None:
    before = _git_status()
    done = subprocess.run(
        ["make", "--no-print-directory", "eval-sentiment"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert _git_status() == before
