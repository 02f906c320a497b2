"""A short slice of the scripted-shopper suite (``make eval-conversations`` runs all of it).

Three development tasks that pass cleanly today, played against the running stack on the
τ shop in PostgreSQL and scored on the database's end state: a cancellation by name + zip, a
return by email with the second fact asked for, and a return where the shopper first types
the wrong zip and corrects it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.db.session import Database
from bot.eval.conversations.run import run_task
from bot.eval.conversations.tau import load_tasks

pytestmark = pytest.mark.e2e

SLICE = ("dev-0", "dev-4", "dev-7")


@pytest.mark.parametrize("task_id", SLICE)
def test_scripted_shopper_task_passes_cleanly(
    task_id: str, running_stack: Any, shop_db: Database, tau_dir: Path
) -> None:
    task = next(t for t in load_tasks("dev", tau_dir) if t.id == task_id)
    result = run_task(task, "dev", running_stack.rasa_url, running_stack.config.rasa_token, shop_db)
    transcript = "\n".join(f"{t['speaker']}: {t['text']}" for t in result.transcript)
    assert result.passed, f"{result.failure}\n{transcript}"
    assert result.clean, f"recovery moves {result.recoveries}\n{transcript}"
    assert not result.wrong_writes and result.dead is None
    # The reset puts the customer back: the same task passes again on the same database.
    again = run_task(task, "dev", running_stack.rasa_url, running_stack.config.rasa_token, shop_db)
    assert again.passed, again.failure
