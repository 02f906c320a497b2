"""Limits every shopper message passes before Rasa sees it: size, rate per sender, clean text.

Both input channels (REST and Socket.IO) wrap Rasa's ``on_new_message`` with
:class:`InputGuard`. A message that breaks a limit never reaches NLU, the tracker store or the
event log: the shopper gets one short, polite reply on the same channel, and the Rasa log
says what happened (sender and sizes, never the text). Settings come from the environment so
a shop can tune them without code:

- ``SHOPBOT_MAX_MESSAGE_CHARS`` (default 2000): longer messages are refused, not truncated
  (a cut order id or e-mail address would be worse than asking again).
- ``SHOPBOT_RATE_LIMIT`` messages per ``SHOPBOT_RATE_WINDOW_S`` seconds per sender (default
  30 per 60 s): a sliding window in this process. With several Rasa replicas each replica
  counts on its own, which still bounds one sender to ``replicas × limit``.
- ``SHOPBOT_MAX_SENDER_CHARS`` (default 128): longer sender ids are refused.

Control characters (except newline and tab) are removed and the text is NFC-normalised, so
what the event log stores is what the shopper could have typed.

Kept free of ``bot`` imports: this module runs inside the Rasa process (.venv-rasa).
"""

from __future__ import annotations

import logging
import os
import re
import time
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

log = logging.getLogger(__name__)

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

TOO_LONG = (
    "That message is too long for me (the limit is {limit} characters). "
    "Could you send a shorter version?"
)
TOO_FAST = "You're sending messages very quickly. Please wait a few seconds and try again."
EMPTY = "I didn't receive any text. What can I help you with?"
BAD_SENDER = "Sorry, I couldn't read that message. Please reload the chat and try again."


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def clean_text(text: Any) -> str:
    """Text as a string without control or bidi-override characters, NFC-normalised."""
    if not isinstance(text, str):
        return ""
    return CONTROL_CHARS.sub("", unicodedata.normalize("NFC", text))


class InputGuard:
    """Checks one message against the limits; ``wrap`` turns it into an ``on_new_message``."""

    def __init__(
        self,
        max_chars: int | None = None,
        rate_limit: int | None = None,
        window_s: float | None = None,
        max_sender_chars: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_chars = max_chars or _env_int("SHOPBOT_MAX_MESSAGE_CHARS", 2000)
        self.rate_limit = rate_limit or _env_int("SHOPBOT_RATE_LIMIT", 30)
        self.window_s = window_s or float(_env_int("SHOPBOT_RATE_WINDOW_S", 60))
        self.max_sender_chars = max_sender_chars or _env_int("SHOPBOT_MAX_SENDER_CHARS", 128)
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def _rate_limited(self, sender: str) -> bool:
        now = self._clock()
        stamps = self._seen.setdefault(sender, deque())
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        if len(stamps) >= self.rate_limit:
            return True
        stamps.append(now)
        if len(self._seen) > 50_000:  # forget idle senders so memory stays bounded
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] > self.window_s]:
                del self._seen[key]
        return False

    def refusal(self, message: UserMessage) -> str | None:
        """The polite reply for a message that breaks a limit, or None (and cleans the text)."""
        sender = message.sender_id
        if not isinstance(sender, str) or not sender or len(sender) > self.max_sender_chars:
            log.warning("input refused: invalid sender id (%s)", type(sender).__name__)
            return BAD_SENDER
        raw = message.text if isinstance(message.text, str) else ""
        if len(raw) > self.max_chars:
            log.warning("input refused: %d characters from sender %s", len(raw), sender)
            return TOO_LONG.format(limit=self.max_chars)
        if self._rate_limited(sender):
            log.warning("input refused: rate limit for sender %s", sender)
            return TOO_FAST
        text = clean_text(raw)
        if not text.strip() and not text.startswith("/"):
            return EMPTY
        message.text = text
        return None

    def wrap(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[UserMessage], Awaitable[Any]]:
        async def guarded(message: UserMessage) -> Any:
            reply = self.refusal(message)
            if reply is None:
                return await on_new_message(message)
            await message.output_channel.send_text_message(str(message.sender_id)[:128], reply)
            return None

        return guarded
