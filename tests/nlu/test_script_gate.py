"""The script gate: one encoder and one CRF per script, the other encoder never run.

English messages must cost what the English pipeline costs and keep its CRF; Chinese and mixed
messages get e5 and the Chinese CRF (docs/nlu/chinese.md, candidate h_bilingual_gated).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.rasa_side.rasa_env import last_json, needs_rasa, run

pytestmark = needs_rasa


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    proc = run(["tests/nlu/check_script_gate.py"], timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = last_json(proc.stdout)
    return result


def test_each_message_runs_one_encoder_and_keeps_both_widths(checked: dict[str, Any]) -> None:
    rows = checked["featurizers"]
    for text, expected in (
        ("where is my order", "minilm"),
        ("hi", "minilm"),
        ("我想退货 order #S1000029", "e5"),  # mixed: the Chinese side
        ("谢谢", "e5"),
    ):
        for name, vector in rows[text].items():
            assert vector["width"] == 384, (text, name)
            used = name == expected
            assert vector["encoded"] is used, (text, name)
            assert (vector["norm"] > 0) is used, (text, name)


def test_each_crf_tags_only_its_script_and_reports_as_the_crf(checked: dict[str, Any]) -> None:
    crf = checked["crf"]
    assert crf["name"] == "CRFEntityExtractor"
    assert crf["this is Maria Lopez"] == {"non_cjk": ["Maria Lopez"], "cjk": []}
    assert crf["I am Noah Kim"] == {"non_cjk": ["Noah Kim"], "cjk": []}
    assert crf["我叫王小明"] == {"non_cjk": [], "cjk": ["王小明"]}
    assert crf["我是李娜"] == {"non_cjk": [], "cjk": ["李娜"]}


def test_an_unknown_script_is_refused() -> None:
    code = (
        "import json\n"
        "from rasa_addons.script_gate import in_script, validate_script\n"
        "try:\n"
        "    validate_script('X', {'script': 'zh'}); refused = False\n"
        "except ValueError:\n"
        "    refused = True\n"
        "print(json.dumps([refused, in_script('hi', 'any'), in_script('hi', 'cjk'),"
        " in_script('退货 hi', 'cjk'), in_script('', 'non_cjk')]))\n"
    )
    proc = run(["-c", code], timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [True, True, False, True, True]
