"""MixedTokenizer leaves English as WhitespaceTokenizer had it and cuts Chinese into words.

English features, regexes and the CRF were tuned on WhitespaceTokenizer's tokens; the bilingual
pipeline must not change them, so every English training and dev message is compared.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.nlu.data import NluData, load_nlu
from tests.rasa_side.rasa_env import PROJECT_ROOT, last_json, needs_rasa, run

pytestmark = needs_rasa

MIXED = {
    "我想退货 order #S1000029": ["我", "想", "退货", "order", "#S1000029"],
    "帮我查下订单S1000029的物流，谢谢！": [
        "帮",
        "我",
        "查下",
        "订单",
        "S1000029",
        "的",
        "物流",
        "谢谢",
    ],
    "check 一下我的 order status": ["check", "一下", "我", "的", "order", "status"],
    "我的邮编是10001": ["我", "的", "邮编", "是", "10001"],
    "谢谢": ["谢谢"],  # WhitespaceTokenizer's emoji pattern drops it
    "发票怎么开?": ["发票", "怎么", "开"],
}


def _english_texts(nlu: NluData) -> list[str]:
    texts = [e.text for examples in nlu.intents.values() for e in examples]
    dev = load_nlu(PROJECT_ROOT / "eval" / "nlu_dev")
    return texts + [e.text for examples in dev.intents.values() for e in examples]


def _tokenise(texts: list[str]) -> list[dict[str, Any]]:
    proc = run(["tests/nlu/check_mixed_tokenizer.py"], timeout=600, stdin=json.dumps(texts))
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows: list[dict[str, Any]] = last_json(proc.stdout)
    assert len(rows) == len(texts)
    return rows


@pytest.fixture(scope="module")
def english(nlu: NluData) -> tuple[list[str], list[dict[str, Any]]]:
    texts = _english_texts(nlu) + ["Ünïcödé café", "emoji 😀👍🏽 only", "😀", "t-shirt, size XL!"]
    return texts, _tokenise(texts)


def test_english_is_tokenised_exactly_like_the_whitespace_tokenizer(
    english: tuple[list[str], list[dict[str, Any]]],
) -> None:
    texts, rows = english
    assert len(texts) > 3000
    different = [t for t, row in zip(texts, rows, strict=True) if row["mixed"] != row["whitespace"]]
    assert different == []


def test_chinese_runs_are_segmented_and_latin_runs_kept_whole() -> None:
    texts = list(MIXED)
    for text, row in zip(texts, _tokenise(texts), strict=True):
        assert [token for token, _, _ in row["mixed"]] == MIXED[text], text
        for token, start, end in row["mixed"]:
            assert text[start:end] == token  # offsets point into the message
