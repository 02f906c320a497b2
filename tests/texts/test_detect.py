"""Which language a message is in (bot/texts/detect.py): script evidence, ids carry none."""

from __future__ import annotations

import pytest

from bot.texts.detect import detect_language, message_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("我想退货", "zh"),
        ("我想退货 order #S1000029", "zh"),  # mixed: Chinese with an English word and an id
        ("退货 please", "zh"),
        ("iPhone 15 还有货吗？", "zh"),
        ("好", "zh"),
        ("where is my order #S1000029?", "en"),
        ("I want to 退货 my order", "en"),  # one borrowed word in an English sentence
        ("Hello!", "en"),
    ],
)
def test_script_decides(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text", ["S1000029", "#W2611340", "ada@example.com", "94107", "😀👍", "", "/greet", "  "]
)
def test_ids_digits_emoji_and_payloads_carry_no_evidence(text: str) -> None:
    assert detect_language(text) is None


def test_prior_only_without_evidence() -> None:
    assert message_language("/greet", "zh-CN") == "zh"  # the page's language starts the chat
    assert message_language("hello", "zh") == "en"  # the shopper's own script wins
    assert message_language("S1000029", None) is None  # nothing: the conversation keeps its own


def test_switching_follows_each_message() -> None:
    """A conversation's language over a sequence of messages (the slot keeps it on None)."""
    current = "en"
    seen = []
    for text in ["where is my order", "S1000029", "我要人工客服", "94107", "ok thanks a lot"]:
        current = message_language(text) or current
        seen.append(current)
    assert seen == ["en", "en", "zh", "zh", "en"]


@pytest.mark.parametrize(
    "text",
    [
        "Noah Ito，邮编 98187",  # a Latin name answering a Chinese question
        "mason lopez 邮遍10257",  # lower case and a typo
        "我是 Yusuf Rossi",
        "AirPods Pro 有货吗",
    ],
)
def test_names_and_brands_in_latin_letters_keep_a_chinese_message_chinese(text: str) -> None:
    assert message_language(text) == "zh"


@pytest.mark.parametrize("text", ["Noah Ito", "mason lopez 10257", "Northpeak Nova"])
def test_a_bare_name_is_no_evidence_of_english(text: str) -> None:
    """A Chinese shopper who answers the name question with a Latin name stays in Chinese."""
    assert message_language(text) is None
    assert message_language(text, "zh-CN") == "zh"


@pytest.mark.parametrize(
    "text", ["Hello!", "ok thanks a lot", "I want to 退货 my order", "where is Noah's parcel?"]
)
def test_english_words_still_switch_to_english(text: str) -> None:
    assert message_language(text) == "en"


def test_a_chinese_conversation_survives_a_name_reply() -> None:
    current = "zh"
    for text in ["我要退货", "Noah Ito", "98187", "Noah Ito，邮编 98187", "好的"]:
        current = message_language(text) or current
    assert current == "zh"
