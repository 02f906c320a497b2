"""The entity regexes on Chinese text: the ZIP of data/nlu/entities.yml glued to Chinese, and
the Chinese budget and cancellation-reason forms of data/nlu_zh/entities.yml.

RegexEntityExtractor runs a training-data regex as written (its word boundaries are for lookup
tables only), case-insensitively; so do these tests.
"""

from __future__ import annotations

import re

import pytest

from bot.nlu.data import NluData, load_nlu
from tests.nlu.test_data_zh import ZH_DIR


@pytest.fixture(scope="module")
def zh() -> NluData:
    return load_nlu(ZH_DIR)


def _found(patterns: list[str], text: str) -> list[str]:
    """Every match of every pattern, longest first at one start, overlaps to the longer."""
    spans = sorted(
        {m.span() for p in patterns for m in re.finditer(p, text, re.IGNORECASE)},
        key=lambda s: (s[0], -s[1]),
    )
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
        elif end - start > kept[-1][1] - kept[-1][0]:
            kept[-1] = (start, end)
    return [text[start:end] for start, end in kept]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("邮编10001", ["10001"]),
        ("我的邮编是02139，叫王芳", ["02139"]),
        ("邮编：94105的地址", ["94105"]),
        ("订单S1000200到哪了", []),
        ("手机号13800138000", []),
        ("商品编号1000200300", []),
    ],
)
def test_zip_next_to_chinese_characters(nlu: NluData, text: str, expected: list[str]) -> None:
    assert _found(nlu.regexes["zip"], text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("有没有100块以内的背包", ["100块以内"]),
        ("不超过两百的耳机", ["不超过两百"]),
        ("预算500左右，推荐一下", ["500左右"]),
        ("预算是100美元", ["100美元"]),
        ("200到300之间的跑鞋", ["200到300之间"]),
        ("价格在100美元以下", ["100美元以下"]),
        ("一百到两百块的礼物", ["一百到两百块"]),
        ("低于50美元的", ["低于50美元"]),
        ("$50以内", ["$50以内"]),
        ("1000块出头的笔记本", ["1000块出头"]),
        # counts, times and sizes are no budget
        ("三天以内能到吗", []),
        ("30天内可以退货吗", []),
        ("最多两件", []),
        ("大概十几天能到", []),
        ("要42码的", []),
        ("退款50美元什么时候到", []),
        ("订单S1000200", []),
    ],
)
def test_chinese_budgets(zh: NluData, text: str, expected: list[str]) -> None:
    assert _found(zh.regexes["budget"], text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("拍错了", ["拍错了"]),
        ("原因是下错单了", ["下错单了"]),
        ("买重复了，取消一个", ["买重复了"]),
        ("这个订单我不想要了", ["不想要了"]),
        ("已经不需要了", ["不需要了"]),
        ("买错尺码了", ["买错尺码了"]),
        ("在别家买到更便宜的了", ["在别家买到更便宜的了"]),
        ("不小心拍了两单", ["不小心拍了"]),
        ("改主意了", ["改主意了"]),
        # a bare no is deny or stop, not a reason
        ("不要了，谢谢", []),
        ("不用了", []),
        ("不需要", []),
        ("我要取消订单", []),
    ],
)
def test_chinese_cancel_reasons(zh: NluData, text: str, expected: list[str]) -> None:
    assert _found(zh.regexes["cancel_reason"], text) == expected
