"""Our reply payloads as plain text, for Telegram and WhatsApp through Twilio.

The text forms themselves (a card's line, an order summary, numbered options, splitting at
boundaries, hand-off notices) are the Meta channels' (``bot/channels/meta_render.py``): one
wording per payload for every channel. This module only adds what Telegram and Twilio show
beyond a card's line (its summary) and gathers a custom payload's texts in order, so nothing
the widget shows is silently lost. Standard library + Babel: the Rasa process imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.channels.meta_render import (
    HANDOFF_TEXT,
    absolute,
    card_line,
    numbered,
    order_text,
    split_text,
    unsupported_reply,
)
from bot.texts import t

log = logging.getLogger(__name__)

__all__ = [
    "absolute_url",
    "card_text",
    "numbered_options",
    "payload_texts",
    "split_text",
    "unsupported_text",
]


def absolute_url(url: Any, base_url: str | None) -> str:
    """A card's link as the shopper can open it off the shop's site ("" when impossible)."""
    return absolute(base_url or "", url)


def card_text(card: Mapping[str, Any], base_url: str | None = None) -> str:
    """One product card: its line (name: price, availability), summary, and link if given."""
    line = card_line({**card, "url": None}, "")
    link = absolute_url(card.get("url"), base_url)
    return "\n".join(x for x in (line, str(card.get("summary") or ""), link) if x)


def payload_texts(custom: Any, base_url: str | None = None) -> list[str]:
    """A custom payload as the texts a text-only channel sends, in order (one per card).

    An unknown payload type is logged and becomes nothing: it was never meant for shoppers
    (the widget drops it too), and its JSON is not a sentence.
    """
    if not isinstance(custom, Mapping):
        return []
    kind = custom.get("type")
    own_text = str(custom.get("text") or "")
    if kind == "product_cards":
        cards = [c for c in custom.get("products") or [] if isinstance(c, Mapping)]
        return ([own_text] if own_text else []) + [card_text(c, base_url) for c in cards]
    if kind == "order_summary" and isinstance(custom.get("order"), Mapping):
        return [order_text(custom["order"])]
    if kind == "handoff":
        key = HANDOFF_TEXT.get(str(custom.get("state")))
        text = own_text or (t(key) if key else "")
        return [text] if text else []
    if kind == "agent_message":
        return [t("channel.agent_message", name=str(custom.get("from") or ""), text=own_text)]
    log.warning("custom payload of type %r has no text form; not sent", kind)
    return []


def numbered_options(buttons: Sequence[Mapping[str, Any]]) -> str:
    """Quick replies as numbered lines the shopper answers with the number."""
    return numbered([{"title": str(b.get("title") or "")} for b in buttons])


def unsupported_text() -> str:
    """The answer to a photo, sticker or voice note: we read text only."""
    return unsupported_reply()
