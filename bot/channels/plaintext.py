"""Our reply payloads as plain text, for platforms that cannot draw the widget's cards.

Telegram and WhatsApp (Twilio) show product cards, order summaries and hand-off notices as
text; these functions are the one text form of each payload (docs/widget.md, "Custom
payloads"), so nothing the widget shows is silently lost on a channel. Sentences come from the
message catalog. Standard library + ``bot.texts`` only: the Rasa process imports this.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from decimal import InvalidOperation
from typing import Any

from bot.texts import money, t

log = logging.getLogger(__name__)

STATES = {
    "requested": "handoff.requested",
    "agent_joined": "handoff.agent_joined",
    "returned": "handoff.back_to_bot",
}


def price_text(price: Any, currency: Any) -> str:
    """``"95.49", "USD"`` → ``$95.49``; an unreadable amount is shown as given."""
    if price in (None, ""):
        return ""
    try:
        return money(str(price), str(currency or "USD"))
    except (InvalidOperation, ValueError):
        return str(price)


def absolute_url(url: Any, base_url: str | None) -> str:
    """A card's link as the shopper can open it off the shop's site ("" when impossible)."""
    if not isinstance(url, str) or not url:
        return ""
    if url.startswith(("https://", "http://")):
        return url
    if base_url and url.startswith("/"):
        return base_url.rstrip("/") + url
    return ""


def card_text(card: Mapping[str, Any], base_url: str | None = None) -> str:
    """One product card: name, price and availability, summary, link."""
    price = price_text(card.get("price"), card.get("currency"))
    stock = t("channel.card.available" if card.get("available") else "channel.card.unavailable")
    head = str(card.get("name") or card.get("id") or "")
    lines = [t("channel.card.head", name=head, price=price) if price else head, stock]
    if card.get("summary"):
        lines.append(str(card["summary"]))
    link = absolute_url(card.get("url"), base_url)
    if link:
        lines.append(link)
    return "\n".join(line for line in lines if line)


def order_text(order: Mapping[str, Any]) -> str:
    """An order summary: id and status, one line per item, total, tracking numbers."""
    status = str(order.get("status") or "")
    status_key = f"order.status_is.{status}"
    try:
        status_text = t(status_key)
    except KeyError:
        status_text = status
    lines = [t("channel.order.head", order_id=str(order.get("id") or ""), status=status_text)]
    for item in order.get("items") or []:
        if not isinstance(item, Mapping):
            continue
        options = str(item.get("options") or "")
        name = f"{item.get('name') or ''} ({options})" if options else str(item.get("name") or "")
        lines.append(t("channel.order.item", item=name, price=price_text(item.get("price"), "USD")))
    if order.get("total") not in (None, ""):
        lines.append(t("channel.order.total", total=price_text(order.get("total"), "USD")))
    tracking = [str(x) for x in order.get("tracking_ids") or [] if x]
    if tracking:
        lines.append(t("channel.order.tracking", tracking=", ".join(tracking)))
    return "\n".join(lines)


def payload_texts(custom: Any, base_url: str | None = None) -> list[str]:
    """A custom payload as the texts a text-only channel sends, in order (one per card).

    An unknown payload type is logged and becomes nothing: it was never meant for shoppers
    (the widget drops it too), and its JSON is not a sentence.
    """
    if not isinstance(custom, Mapping):
        return []
    kind = custom.get("type")
    lead = [str(custom["text"])] if custom.get("text") and kind == "product_cards" else []
    if kind == "product_cards":
        cards = [c for c in custom.get("products") or [] if isinstance(c, Mapping)]
        return lead + [card_text(c, base_url) for c in cards]
    if kind == "order_summary" and isinstance(custom.get("order"), Mapping):
        return [order_text(custom["order"])]
    if kind == "handoff":
        text = custom.get("text") or (
            t(STATES[custom["state"]]) if custom.get("state") in STATES else ""
        )
        return [str(text)] if text else []
    if kind == "agent_message":
        sender = str(custom.get("from") or "")
        text = str(custom.get("text") or "")
        return [t("channel.agent_message", sender=sender, text=text) if sender else text]
    log.warning("custom payload of type %r has no text form; not sent", kind)
    return []


def numbered_options(buttons: Sequence[Mapping[str, Any]]) -> str:
    """Quick replies as numbered lines the shopper answers with the number."""
    lines = [
        t("channel.option", number=i, title=str(b.get("title") or ""))
        for i, b in enumerate(buttons, start=1)
    ]
    return "\n".join([*lines, t("channel.option.prompt")])


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at the latest paragraph, line,
    sentence or word boundary that fits (a hard cut only inside one overlong word)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for pattern in (r"\n\s*\n", r"\n", r"(?<=[.!?])\s", r"\s"):
            found = [m.start() for m in re.finditer(pattern, window) if 0 < m.start() <= limit]
            if found:
                cut = found[-1]
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def unsupported_text() -> str:
    """The answer to a photo, sticker or voice note: we read text only."""
    return t("channel.unsupported")
