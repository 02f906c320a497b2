"""The conversation's language over the REST channel (issue 20): the `language` slot is set
from every message's script (rasa_addons/language_detector.py), the page's language is the
first message's prior, and both fixed responses and actions answer in the slot's language.

Intent payloads (``/greet``) keep these tests independent of how well Chinese *intents* are
understood: a payload carries no language evidence, so the slot keeps what the text set.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from bot.texts import t, use_locale

pytestmark = pytest.mark.e2e

HAN = re.compile(r"[\u4e00-\u9fff]")


class Chat:
    def __init__(self, rasa_url: str, token: str) -> None:
        self.rasa_url = rasa_url
        self.token = token
        self.sender = f"lang-{uuid.uuid4().hex[:10]}"

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> list[str]:
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return [str(m.get("text") or "") for m in response.json() if m.get("text")]

    def language(self) -> Any:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{self.sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["slots"].get("language")


def greeting(lang: str) -> str:
    with use_locale(lang):
        return t("utter.greet")


def test_page_prior_then_script_then_switch(running_stack: Any) -> None:
    chat = Chat(running_stack.rasa_url, running_stack.config.rasa_token)
    # A Chinese page: the widget's first message (a payload, which Rasa reads without the NLU)
    # carries the page's language as its entity, like the widget sends it.
    assert chat.say('/greet{"language":"zh"}') == [greeting("zh")]
    assert chat.language() == "zh"
    # An action (the order-number question) speaks the slot's language too.
    asked = chat.say("/track_order")
    assert asked and all(HAN.search(text) for text in asked), asked
    # An order number alone says nothing about the language: still Chinese.
    chat.say("/stop")
    chat.say("#W9999999")
    assert chat.language() == "zh"
    # The shopper switches to English: followed from that message on.
    chat.say("hello there")
    assert chat.language() == "en"
    # (the order number above may have started a flow that speaks again after the greeting)
    replies = chat.say("/greet")
    assert greeting("en") in replies and not any(HAN.search(text) for text in replies), replies


def test_text_prior_in_metadata(running_stack: Any) -> None:
    """A first message that is text and shows no language takes the metadata's prior."""
    chat = Chat(running_stack.rasa_url, running_stack.config.rasa_token)
    chat.say("#W9999999", {"lang": "zh-CN"})
    assert chat.language() == "zh"
    chat.say("where is my order?", {"lang": "zh-CN"})  # the text's own language wins
    assert chat.language() == "en"


def test_chinese_script_gets_chinese_replies_without_prior(running_stack: Any) -> None:
    chat = Chat(running_stack.rasa_url, running_stack.config.rasa_token)
    chat.say("你好，我想问一下")
    assert chat.language() == "zh"
    assert chat.say("/greet") == [greeting("zh")]
    # Mixed Chinese with an order number is Chinese.
    chat.say("hi")
    assert chat.language() == "en"
    chat.say("我想退货 order #S1000029")
    assert chat.language() == "zh"
