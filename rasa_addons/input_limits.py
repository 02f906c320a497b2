"""Limits every shopper message passes before Rasa sees it: size, rate per sender, clean text.

Both input channels (REST and Socket.IO) wrap Rasa's ``on_new_message`` with
:class:`InputGuard`. A message that breaks a limit never reaches NLU, the tracker store or the
event log: the shopper gets one short, polite reply on the same channel, and the Rasa log
says what happened (sender and sizes, never the text). Settings come from the environment
(:mod:`rasa_addons.settings`) so a shop can tune them without code:

- ``SHOPBOT_MAX_MESSAGE_CHARS`` (default 2000): longer messages are refused, not truncated
  (a cut order id or e-mail address would be worse than asking again).
- ``SHOPBOT_RATE_LIMIT`` messages per ``SHOPBOT_RATE_WINDOW_S`` seconds per sender (default
  30 per 60 s): a sliding window in this process. With several Rasa replicas each replica
  counts on its own, which still bounds one sender to ``replicas × limit``.
- ``SHOPBOT_MAX_SENDER_CHARS`` (default 128): longer sender ids are refused, and so are ids
  with characters outside ``A-Z a-z 0-9 _ - . : @ + =`` (the widget's ids are url-safe tokens).

Control characters (except newline and tab) are removed, lone surrogates (no UTF-8 encoding
exists for them) become U+FFFD and the text is NFC-normalised, so what the event log stores is
what the shopper could have typed. The same cleaning applies to every string in the metadata
and in the JSON of ``/intent{...}`` payloads. A sender id is never cleaned, only accepted or
refused: two different ids must not become one conversation. (Security review, finding 2: a
lone surrogate or NUL byte in a sender id used to block the event log for everyone.)

Kept free of ``bot`` imports: this module runs inside the Rasa process (.venv-rasa).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.texts import available_languages, catalog, t
from bot.texts.detect import message_language
from rasa_addons.multi_request import annotate
from rasa_addons.settings import current

log = logging.getLogger(__name__)

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
SURROGATES = re.compile(r"[\ud800-\udfff]")
SENDER_ID = re.compile(r"[A-Za-z0-9_.:@+=-]+")
# Rasa's pattern for "/intent@confidence{entities}rest" (YAMLStoryReader._regex_message_pattern)
INTENT_PAYLOAD = re.compile(r"/[^{@]+(?:@[0-9.]+)?({.+})")
MAX_DEPTH = 20

# The guard's own replies: message-catalog keys (bot/texts), said in the message's language.
BAD_SENDER = "limits.bad_sender"
TOO_LONG = "limits.too_long"
TOO_FAST = "limits.too_fast"
EMPTY = "limits.empty"
TROUBLE = "limits.trouble"
LOST_TRACK = "limits.lost_track"
GUARD_KEYS = (BAD_SENDER, TOO_LONG, TOO_FAST, EMPTY, TROUBLE, LOST_TRACK)


def guard_text(key: str, message: UserMessage | None = None, **named: Any) -> str:
    """One of the guard's replies in the language the message is written in (its script, or
    the client's ``lang`` prior), English when it shows none."""
    text = message.text if message is not None and isinstance(message.text, str) else ""
    metadata = message.metadata if message is not None else None
    prior = metadata.get("lang") if isinstance(metadata, dict) else None
    return t(key, message_language(text, prior if isinstance(prior, str) else None), **named)


def is_guard_reply(text: str) -> bool:
    """Whether a bot text is one of the guard's replies, in any language (channels keep them
    out of public comment replies)."""
    for lang in available_languages():
        for key in GUARD_KEYS:
            head = catalog(lang)[key].split("{", 1)[0]
            if head and text.startswith(head):
                return True
    return False


def _tracker_store() -> Any:
    """The Rasa server's real tracker store (inside Rasa's ``FailSafeTrackerStore``)."""
    try:
        from sanic import Sanic

        store = Sanic.get_app().ctx.agent.tracker_store
    except Exception:  # not inside a running Rasa server (unit use)
        return None
    return getattr(store, "_tracker_store", store)


async def tracker_readable(sender: str) -> bool:
    """Read the conversation once before Rasa does.

    Rasa wraps every tracker store in ``FailSafeTrackerStore``, whose ``retrieve`` turns ANY
    read error (Redis timeout, an unreadable record) into "no conversation yet": Rasa then
    starts a fresh conversation and saves it over the old one, so a half-finished order
    flow would silently vanish. Reading the real store first lets us refuse the message
    with an honest answer instead; a missing conversation (None) is fine.
    """
    store = _tracker_store()
    if store is None:
        return True
    try:
        # ShopbotRedisTrackerStore keeps what it read for the processor's retrieve that follows
        prefetch = getattr(store, "prefetch", None)
        await (prefetch(sender) if prefetch is not None else store.retrieve(sender))
    except Exception:
        log.exception("tracker of sender %s is unreadable; message refused", sender)
        return False
    return True


async def _paused(sender: str) -> bool:
    """Whether a staff member holds the conversation (then silence is intended)."""
    store = _tracker_store()
    try:
        tracker = await store.retrieve(sender) if store is not None else None
    except Exception:
        return False
    return bool(tracker is not None and tracker.is_paused())


def clean_text(text: Any) -> str:
    """Text as a string without control or bidi-override characters or lone surrogates, NFC."""
    if not isinstance(text, str):
        return ""
    return CONTROL_CHARS.sub("", unicodedata.normalize("NFC", SURROGATES.sub("\ufffd", text)))


def valid_sender(sender: Any, max_chars: int = 128) -> bool:
    """Whether ``sender`` is a usable conversation id (checked, never repaired)."""
    return (
        isinstance(sender, str)
        and 0 < len(sender) <= max_chars
        and SENDER_ID.fullmatch(sender) is not None
    )


def clean_value(value: Any, depth: int = 0) -> Any:
    """``value`` (parsed JSON) with every string, keys included, passed through ``clean_text``.

    Nesting deeper than ``MAX_DEPTH`` is dropped (None): nothing legitimate needs it.
    """
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        return None
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN/Infinity (Python's JSON accepts them) break every JSON writer after
    return value


def entity_value(value: Any) -> str | list[str] | None:
    """An ``/intent{...}`` entity value as NLU would give it: text (or a list of texts).

    A number becomes its text; anything else (objects, booleans, null, NaN) is dropped: the
    actions read entity values as text, and ``{"zip": 1.5}`` or ``{"order_id": {"$ne": 1}}``
    made them fail.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value) if math.isfinite(value) else None
    if isinstance(value, list):
        texts = [v for v in (entity_value(x) for x in value[:20]) if isinstance(v, str)]
        return texts or None
    return None


def clean_payload(text: str) -> str:
    """A ``/intent{json}`` text with the JSON's strings cleaned (JSON escapes such as
    ``\\u0000`` only become characters once Rasa parses them); other texts unchanged."""
    stripped = text.strip()  # (as Rasa does before matching)
    match = INTENT_PAYLOAD.match(stripped)
    if match is None:
        return text
    try:
        entities = json.loads(match.group(1))
    except (ValueError, RecursionError):
        return text  # Rasa ignores entities it cannot parse
    if not isinstance(entities, dict):
        return text  # Rasa ignores them too
    cleaned = {
        clean_text(str(name)): value
        for name, raw in entities.items()
        if (value := entity_value(raw)) is not None
    }
    if cleaned == entities:
        return text
    start, end = match.span(1)
    return stripped[:start] + json.dumps(cleaned, ensure_ascii=False) + stripped[end:]


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
        settings = current()
        self.max_chars = max_chars or settings.max_message_chars
        self.rate_limit = rate_limit or settings.rate_limit
        self.window_s = window_s or float(settings.rate_window_s)
        self.max_sender_chars = max_sender_chars or settings.max_sender_chars
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
        if not valid_sender(sender, self.max_sender_chars):
            log.warning("input refused: invalid sender id (%s)", type(sender).__name__)
            return guard_text(BAD_SENDER, message)
        raw = message.text if isinstance(message.text, str) else ""
        if len(raw) > self.max_chars:
            log.warning("input refused: %d characters from sender %s", len(raw), sender)
            return guard_text(TOO_LONG, message, limit=self.max_chars)
        if self._rate_limited(sender):
            log.warning("input refused: rate limit for sender %s", sender)
            return guard_text(TOO_FAST, message)
        text = clean_text(raw)
        if not text.strip() and not text.startswith("/"):
            return guard_text(EMPTY, message)
        message.text = clean_payload(text)
        if message.metadata is not None:
            message.metadata = clean_value(message.metadata)
        return None

    def wrap(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[UserMessage], Awaitable[Any]]:
        async def guarded(message: UserMessage) -> Any:
            reply = self.refusal(message)
            if reply is None and not await tracker_readable(message.sender_id):
                reply = guard_text(LOST_TRACK, message)
            if reply is None:
                collected = getattr(message.output_channel, "messages", None)
                before = len(collected) if isinstance(collected, list) else None
                try:
                    # several requests in one message: each clause parsed, see multi_request
                    await annotate(message)
                    result = await on_new_message(message)
                except Exception:  # Redis, the database or the action server is down
                    # Rasa's REST channel would log this and answer an empty list; the
                    # shopper should hear that something is wrong instead of silence.
                    log.exception("message from sender %s failed", message.sender_id)
                    reply = guard_text(TROUBLE, message)
                else:
                    # A failed custom action (action server down) is logged by Rasa and the
                    # turn ends without a word; say so unless staff paused the bot on purpose.
                    silent = before is not None and len(collected) == before  # type: ignore[arg-type]
                    # /session_start starts a session quietly by design: no apology for it.
                    silent = silent and not message.text.strip().startswith("/session_start")
                    if not silent or await _paused(message.sender_id):
                        return result
                    log.warning("no reply for sender %s; sending the apology", message.sender_id)
                    reply = guard_text(TROUBLE, message)
            sender = message.sender_id
            recipient = sender if valid_sender(sender, self.max_sender_chars) else "invalid"
            await message.output_channel.send_text_message(recipient, reply)
            return None

        return guarded
