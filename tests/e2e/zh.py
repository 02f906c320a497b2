"""The Chinese shopper of the end-to-end tests, and the zh_CN sentences their replies must hold.

Every reply to a Chinese shopper is Chinese: :class:`ChineseShopper` fails on a text message
without a Chinese character, and :func:`says` checks the zh_CN catalog's own sentences
(rendered through ``t``, whole or by their fixed parts), never a copy of them.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from bot.texts import t, use_locale
from tests.e2e.chat import Shopper

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = "zh_CN"
PAGE = {"lang": "zh-CN"}  # the widget's page language, sent with every message


@dataclass
class ChineseShopper(Shopper):
    """A REST conversation on a Chinese page; every bot text must be Chinese."""

    said: list[tuple[str, str]] = field(default_factory=list)

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> str:
        messages = self.send(text, {**PAGE, **(metadata or {})})
        shown = [str(msg.get("text") or "") for msg in messages]
        shown += [str(b.get("title")) for msg in messages for b in msg.get("buttons") or []]
        reply = "\n".join(shown)
        self.said.append((text, reply))
        texts = [str(msg.get("text") or "") for msg in messages if msg.get("text")]
        assert texts and all(HAN.search(x) for x in texts), self.transcript()
        return reply

    def transcript(self) -> str:
        """What was said, for an assertion's message."""
        return "\n".join(f"> {said}\n{reply}" for said, reply in self.said)


def _names(key: str) -> set[str]:
    from bot.texts import catalog

    return {f for _, f, _, _ in string.Formatter().parse(catalog("en")[key]) if f}


def fixed_parts(key: str) -> list[str]:
    """The zh_CN sentence of ``key`` without its placeholders: the words it always shows."""
    with use_locale(ZH):
        template = t(key, **{name: "\0" for name in _names(key)})
    return [part.strip() for part in template.split("\0") if len(part.strip()) >= 2]


def says(reply: str, key: str, **named: str) -> bool:
    """``reply`` holds the zh_CN sentence of ``key``: whole when every placeholder is given,
    else every fixed part of it."""
    if named.keys() >= _names(key):
        with use_locale(ZH):
            return t(key, **named) in reply
    return all(part in reply for part in fixed_parts(key))


def zh(key: str, **named: Any) -> str:
    """The zh_CN sentence of ``key``."""
    with use_locale(ZH):
        return t(key, **named)
