"""The conversation's language over the REST channel (issue 20): the `language` slot is set
from every message's script (rasa_addons/language_detector.py), the page's language is the
first message's prior, and both fixed responses and actions answer in the slot's language.

Intent payloads (``/greet``) keep these tests independent of how well Chinese *intents* are
understood: a payload carries no language evidence, so the slot keeps what the text set.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.texts import t, use_locale
from tests.e2e.chat import Shopper

pytestmark = pytest.mark.e2e

HAN = re.compile(r"[\u4e00-\u9fff]")


def greeting(lang: str) -> str:
    with use_locale(lang):
        return t("utter.greet")


def test_page_prior_then_script_then_switch(running_stack: Any) -> None:
    chat = Shopper.on(running_stack, "lang")
    # A Chinese page: the widget's first message (a payload, which Rasa reads without the NLU)
    # carries the page's language as its entity, like the widget sends it.
    assert chat.texts('/greet{"language":"zh"}') == [greeting("zh")]
    assert chat.slots().get("language") == "zh"
    # An action (the order-number question) speaks the slot's language too.
    asked = chat.texts("/track_order")
    assert asked and all(HAN.search(text) for text in asked), asked
    # An order number alone says nothing about the language: still Chinese.
    chat.texts("/stop")
    chat.texts("#W9999999")
    assert chat.slots().get("language") == "zh"
    # The shopper switches to English: followed from that message on.
    chat.texts("hello there")
    assert chat.slots().get("language") == "en"
    # (the order number above may have started a flow that speaks again after the greeting)
    replies = chat.texts("/greet")
    assert greeting("en") in replies and not any(HAN.search(text) for text in replies), replies


def test_text_prior_in_metadata(running_stack: Any) -> None:
    """A first message that is text and shows no language takes the metadata's prior."""
    chat = Shopper.on(running_stack, "lang")
    chat.texts("#W9999999", {"lang": "zh-CN"})
    assert chat.slots().get("language") == "zh"
    chat.texts("where is my order?", {"lang": "zh-CN"})  # the text's own language wins
    assert chat.slots().get("language") == "en"


def test_chinese_script_gets_chinese_replies_without_prior(running_stack: Any) -> None:
    chat = Shopper.on(running_stack, "lang")
    chat.texts("你好，我想问一下")
    assert chat.slots().get("language") == "zh"
    assert chat.texts("/greet") == [greeting("zh")]
    # Mixed Chinese with an order number is Chinese.
    chat.texts("hi")
    assert chat.slots().get("language") == "en"
    chat.texts("我想退货 order #S1000029")
    assert chat.slots().get("language") == "zh"
