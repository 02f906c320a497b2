"""The NLU step that tags every message with its language (rasa_addons/language_detector.py)."""

from __future__ import annotations

from pathlib import Path

from tests.rasa_side.rasa_env import last_json, needs_rasa, run


@needs_rasa
def test_language_entity_from_script_or_prior() -> None:
    proc = run([str(Path(__file__).with_name("check_language_detector.py"))], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert last_json(proc.stdout) == [
        [["language", "zh"]],  # mixed Chinese with an order number
        [["language", "en"]],  # the message's script beats the page's prior
        [["language", "zh"]],  # a payload: the page's language is the prior
        [["order_id", "#S1000029"]],  # no evidence, no prior: the slot keeps its language
        [],  # a prior in a language without a catalog is ignored
        [["language", "en"]],  # malformed metadata is ignored, the script decides
    ]
