"""The Simplified-Chinese catalog (issue 20): complete, the same placeholders as English,
translated, and found by every spelling of the locale; money and dates in it come from the one
formatter with the Chinese locale."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot import texts
from bot.orders.money import usd
from bot.texts import placeholders, t, use_locale

ZH_FILE = texts.LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "shopbot.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Entries left as in English on purpose: the text a quick reply sends back (items.pick) and
# the space between sentences.
NOT_WORDS = {"items.pick", "sentence.separator"}


def _sample(names: frozenset[str]) -> dict[str, str]:
    return {name: f"<{name}>" for name in names}


def test_the_chinese_catalog_is_a_locale_directory_serving_zh() -> None:
    assert ZH_FILE.exists()
    assert texts.available_languages() == ("en", "zh")
    assert texts.catalog("zh") == texts.catalog("zh_CN")


def test_every_english_key_is_translated_with_the_same_placeholders() -> None:
    english, chinese = texts.catalog("en"), texts.catalog("zh_CN")
    missing, extra = sorted(set(english) - set(chinese)), sorted(set(chinese) - set(english))
    assert not missing and not extra, f"missing: {missing}, extra: {extra}"
    wrong = {k: (placeholders(english[k]), placeholders(chinese[k])) for k in english}
    assert not {k: v for k, v in wrong.items() if v[0] != v[1]}


def test_every_entry_renders_in_chinese() -> None:
    for key, english in texts.catalog("en").items():
        rendered = t(key, "zh_CN", **_sample(placeholders(english)))
        assert "{" not in rendered and "}" not in rendered, key
        # A sentence (English words, not only placeholders and punctuation) is translated.
        words = re.sub(r"\{\w+\}", "", english)
        if re.search(r"[A-Za-z]{2,}", words) and key not in NOT_WORDS:
            translated = CJK.search(rendered) or texts.catalog("zh")[key] != english
            assert translated, f"{key} is still English: {rendered}"


def test_markdown_line_breaks_and_payloads_are_kept() -> None:
    english, chinese = texts.catalog("en"), texts.catalog("zh")
    for key in english:
        assert english[key].count("**") == chinese[key].count("**"), key
        assert english[key].count("\n") == chinese[key].count("\n"), key
        assert english[key].startswith("- ") == chinese[key].startswith("- "), key
    assert chinese["items.pick"] == english["items.pick"]  # the text a quick reply sends


@pytest.mark.parametrize("spelling", ["zh", "zh_CN", "zh-CN", "zh-Hans", "ZH_cn", "zh_Hans_CN"])
def test_every_spelling_of_the_locale_reads_the_chinese_catalog(spelling: str) -> None:
    assert t("order.not_found", spelling, order_id="#S1000029") == (
        "您的账户里没有找到订单 #S1000029，麻烦核对一下订单号？"
    )
    with use_locale(spelling) as lang:
        assert lang == "zh"
        assert t("button.talk_to_person") == "转人工客服"


def test_money_and_dates_in_chinese_come_from_the_one_formatter() -> None:
    assert texts.money(Decimal("1234.5"), "USD", "zh_CN") == "US$1,234.50"
    assert texts.number(Decimal("1234.5"), "zh_CN") == "1,234.5"
    assert texts.date(date(2026, 12, 5), "zh_CN") == "2026年12月5日"
    with use_locale("zh_CN"):
        total = usd("59.9")
        assert total == "US$59.90"
        assert t("order_info.total", order_id="#S1000029", total=total) == (
            "订单 #S1000029 的总金额是 US$59.90。"
        )
        assert texts.list_words(["T恤", "背包", "水杯"]) == "T恤、背包和水杯"
        assert texts.list_alternatives(["礼品卡", "原支付方式"]) == "礼品卡或原支付方式"
        assert texts.describe_item("T恤", {"size": "M", "color": "blue"}) == (
            "T恤（size M、color blue）"
        )
    assert usd("59.9") == "$59.90"  # outside the block: English again


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty locales directory with the English catalog; caches cleared around the test."""
    base = tmp_path / "locales"
    (base / "en" / "LC_MESSAGES").mkdir(parents=True)
    (base / "en" / "LC_MESSAGES" / "shopbot.po").write_bytes(
        (texts.LOCALES_DIR / "en" / "LC_MESSAGES" / "shopbot.po").read_bytes()
    )
    monkeypatch.setattr(texts, "LOCALES_DIR", base)
    texts.catalog.cache_clear()
    texts.available_languages.cache_clear()
    yield base
    monkeypatch.undo()
    texts.catalog.cache_clear()
    texts.available_languages.cache_clear()


def _write(base: Path, directory: str, text: str) -> None:
    (base / directory / "LC_MESSAGES").mkdir(parents=True)
    (base / directory / "LC_MESSAGES" / "shopbot.po").write_text(
        f'msgid ""\nmsgstr ""\n"Language: {directory}\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        f'msgid "money.none"\nmsgstr "{text}"\n',
        encoding="utf-8",
    )


def test_a_bare_language_directory_still_works(locales: Path) -> None:
    _write(locales, "zh", "不涉及费用")
    assert texts.available_languages() == ("en", "zh")
    assert t("money.none", "zh_CN") == "不涉及费用"


def test_two_catalogs_of_one_language_fail_loudly(locales: Path) -> None:
    _write(locales, "zh", "甲")
    _write(locales, "zh_CN", "乙")
    with pytest.raises(ValueError, match="two catalogs"):
        texts.available_languages()
