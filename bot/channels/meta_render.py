"""Our bot messages in Messenger, Instagram and WhatsApp Cloud API formats, within their limits.

A Rasa bot message (text, buttons, one custom payload: docs/widget.md) becomes the platform's
own message objects: product cards a generic-template carousel (WhatsApp has none: lines of
text), buttons quick replies (WhatsApp: reply buttons or a list), order summaries and hand-off
notices text. What does not fit a limit is not cut off: long text is split at paragraph,
line, sentence or word boundaries; too many or too long choices become numbered lines the
shopper answers with a number (``Rendered.options`` keeps the payload of each number); cards
past the carousel's size become lines. Runs in the Rasa process: standard library + Babel.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.texts import money, t


@dataclass(frozen=True)
class Limits:
    """One platform's message limits, as its documentation gives them (``source``)."""

    text_chars: int
    quick_replies: int  # native choices on one message (0: none)
    choice_title: int  # characters of a quick reply / reply button title
    choice_payload: int  # characters of what a choice sends back
    carousel_elements: int  # generic template elements (0: no carousel)
    element_title: int = 80
    element_subtitle: int = 80
    element_buttons: int = 3
    button_title: int = 20
    list_rows: int = 0  # WhatsApp list message rows (0: no list)
    row_title: int = 24
    list_body_chars: int = 1024
    source: str = ""


LIMITS: dict[str, Limits] = {
    "messenger": Limits(
        text_chars=2000,
        quick_replies=13,
        choice_title=20,
        choice_payload=1000,
        carousel_elements=10,
        source="developers.facebook.com/docs/messenger-platform/send-messages "
        "(text ≤2000), /quick-replies (≤13, title ≤20, payload ≤1000), "
        "/template/generic (≤10 elements, title/subtitle ≤80, ≤3 buttons, button title ≤20)",
    ),
    "instagram": Limits(
        text_chars=1000,
        quick_replies=13,
        choice_title=20,
        choice_payload=1000,
        carousel_elements=10,
        source="developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-"
        "login/messaging-api (text ≤1000), /quick-replies (≤13, title ≤20), "
        "/generic-template (≤10 elements, title/subtitle ≤80, ≤3 buttons)",
    ),
    "whatsapp": Limits(
        text_chars=4096,
        quick_replies=3,
        choice_title=20,
        choice_payload=256,
        carousel_elements=0,
        list_rows=10,
        row_title=24,
        list_body_chars=1024,
        source="developers.facebook.com/docs/whatsapp/cloud-api/reference/messages "
        "(text body ≤4096; interactive body ≤1024; reply buttons ≤3, title ≤20, id ≤256; "
        "list ≤10 rows, row title ≤24, button label ≤20)",
    ),
}

# Payloads that carry their own text (a staff member's message): the event's text repeats it.
SELF_CONTAINED = frozenset({"agent_message"})
HANDOFF_TEXT = {
    "requested": "handoff.requested",
    "agent_joined": "handoff.agent_joined",
    "returned": "handoff.back_to_bot",
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# The widget's markdown subset (docs/widget.md): Messenger and Instagram show none of it,
# WhatsApp has its own (*bold*, _italic_).
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")


@dataclass
class Rendered:
    """The platform messages to send, in order, and the payloads behind numbered options."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # what could not be shown (logged)


def unsupported_reply() -> str:
    """What a shopper reads after sending what we cannot read (a sticker, a photo, a voice note)."""
    return t("channel.unsupported")


def from_markdown(text: str, platform: str, public_url: str = "") -> str:
    """The widget's markdown as the platform shows it: WhatsApp's own marks, else plain text;
    a link becomes "text (url)" (relative links on the shop's site, dropped without it)."""

    def link(match: re.Match[str]) -> str:
        url = absolute(public_url, match.group(2))
        return f"{match.group(1)} ({url})" if url else match.group(1)

    text = _LINK.sub(link, text)
    if platform == "whatsapp":
        text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
        return text
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    return _ITALIC.sub(lambda m: m.group(1), text)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at the largest boundary that
    fits: paragraph, line, sentence, word, and only then inside a word."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    for separator in ("\n\n", "\n", "sentence", " "):
        pieces = _SENTENCE_END.split(text) if separator == "sentence" else text.split(separator)
        if len(pieces) < 2:
            continue
        joiner = " " if separator == "sentence" else separator
        out: list[str] = []
        current = ""
        for piece in pieces:
            candidate = f"{current}{joiner}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                out.append(current)
            current = piece
        out.append(current)
        if all(len(p) <= limit for p in out):
            return [p.strip() for p in out if p.strip()]
        # some piece is still too long: split each piece with the finer separators
        return [s for p in out for s in split_text(p, limit)]
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word to ``limit`` characters with "…" (titles and subtitles)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut + "…"


def _choices(message: Mapping[str, Any]) -> list[dict[str, str]]:
    raw = list(message.get("buttons") or []) + list(message.get("quick_replies") or [])
    out = []
    for button in raw:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or button.get("url") or title).strip()
        if title:
            out.append({"title": title, "payload": payload})
    return out


def _price(card: Mapping[str, Any]) -> str:
    price = card.get("price")
    if price in (None, ""):
        return ""
    try:
        return money(str(price), str(card.get("currency") or "USD"))
    except (ArithmeticError, ValueError):
        return str(price)


def _availability(card: Mapping[str, Any]) -> str:
    return t("channel.card.in_stock") if card.get("available") else t("channel.card.out_of_stock")


def card_line(card: Mapping[str, Any], public_url: str) -> str:
    """A product card as one text line (with its link when the shop's URL is known)."""
    details = ", ".join(p for p in (_price(card), _availability(card)) if p)
    line = t("channel.card.line", name=str(card.get("name") or ""), details=details)
    url = absolute(public_url, card.get("url"))
    return f"{line}\n{url}" if url else line


def absolute(public_url: str, path: Any) -> str:
    """The card's link on the shop's public site ("" when the site's URL is not configured)."""
    if not isinstance(path, str) or not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    if not public_url:
        return ""
    return public_url.rstrip("/") + "/" + path.lstrip("/")


def order_text(order: Mapping[str, Any]) -> str:
    """An ``order_summary`` payload as text (no platform shows it natively)."""
    lines = [t("channel.order.header", order_id=str(order.get("id") or ""))]
    lines.append(t("channel.order.status", status=str(order.get("status") or "")))
    for item in order.get("items") or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "")
        price = _price({"price": item.get("price"), "currency": order.get("currency")})
        options = str(item.get("options") or "")
        key = "channel.order.item_options" if options else "channel.order.item"
        named = {"name": name, "price": price}
        lines.append(t(key, options=options, **named) if options else t(key, **named))
    if order.get("total") not in (None, ""):
        total = _price({"price": order.get("total"), "currency": order.get("currency")})
        lines.append(t("channel.order.total", total=total))
    tracking = [str(x) for x in order.get("tracking_ids") or [] if x]
    if tracking:
        lines.append(t("channel.order.tracking", tracking_ids=", ".join(tracking)))
    return "\n".join(lines)


@dataclass
class _Parts:
    texts: list[str] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _parts(message: Mapping[str, Any]) -> _Parts:
    """What one Rasa bot message says, platform-neutral."""
    parts = _Parts()
    custom = message.get("custom")
    self_contained = isinstance(custom, dict) and custom.get("type") in SELF_CONTAINED
    text = message.get("text")
    if isinstance(text, str) and text.strip() and not self_contained:
        parts.texts.append(text)
    if isinstance(custom, dict):
        kind = custom.get("type")
        own_text = custom.get("text") if isinstance(custom.get("text"), str) else ""
        if kind == "product_cards":
            if own_text and own_text not in parts.texts:
                parts.texts.append(own_text)
            parts.cards = [c for c in custom.get("products") or [] if isinstance(c, dict)]
        elif kind == "order_summary" and isinstance(custom.get("order"), dict):
            parts.texts.append(order_text(custom["order"]))
        elif kind == "handoff":
            key = HANDOFF_TEXT.get(str(custom.get("state")))
            notice = own_text or (t(key) if key else "")
            if notice and notice not in parts.texts:
                parts.texts.append(notice)
        elif kind == "agent_message":
            parts.texts.append(
                t("channel.agent_message", name=str(custom.get("from") or ""), text=own_text)
            )
        elif own_text:
            parts.texts.append(own_text)
        else:
            parts.dropped.append(f"custom payload {kind!r}")
    elif custom is not None:
        parts.dropped.append("custom payload that is not an object")
    if message.get("image"):
        parts.texts.append(str(message["image"]))
    if message.get("attachment"):
        parts.texts.append(str(message["attachment"]))
    if message.get("elements"):
        parts.dropped.append("Rasa template elements")
    parts.choices = _choices(message)
    return parts


def numbered(choices: Sequence[Mapping[str, str]]) -> str:
    """Choices as numbered lines with the hint to answer with a number."""
    lines = [f"{i}. {c['title']}" for i, c in enumerate(choices, 1)]
    return "\n".join([*lines, t("channel.numbered_hint")])


def _fits(limits: Limits, choices: Sequence[Mapping[str, str]], count: int, title: int) -> bool:
    return 0 < len(choices) <= count and all(
        len(c["title"]) <= title and 0 < len(c["payload"]) <= limits.choice_payload for c in choices
    )


def render(
    platform: str,
    message: Mapping[str, Any],
    public_url: str = "",
    already_said: Collection[str] = (),
) -> Rendered:
    """The messages that show the Rasa bot ``message`` on ``platform``.

    ``already_said``: texts sent earlier in the same turn; a payload's own text that repeats
    one (the hand-off notice follows the same sentence as text) is not sent twice.
    """
    limits = LIMITS[platform]
    parts = _parts(message)
    out = Rendered(dropped=parts.dropped)
    said = {" ".join(x.split()) for x in already_said}
    own = message.get("text")
    texts = [
        from_markdown(x, platform, public_url)
        for x in parts.texts
        if x == own or " ".join(x.split()) not in said
    ]
    cards = parts.cards
    carousel: list[dict[str, Any]] = []
    if cards and limits.carousel_elements:
        carousel, rest = cards[: limits.carousel_elements], cards[limits.carousel_elements :]
    else:
        rest = cards
    if rest:
        texts.append("\n".join(card_line(c, public_url) for c in rest))
    choices = parts.choices
    native = platform != "whatsapp" and _fits(
        limits, choices, limits.quick_replies, limits.choice_title
    )
    wa_buttons = platform == "whatsapp" and _fits(
        limits, choices, limits.quick_replies, limits.choice_title
    )
    wa_list = (
        platform == "whatsapp"
        and not wa_buttons
        and _fits(limits, choices, limits.list_rows, limits.row_title)
    )
    if choices and not (native or wa_buttons or wa_list):
        texts.append(numbered(choices))
        out.options = [c["payload"] for c in choices]
    pieces = [p for text in texts for p in split_text(text, limits.text_chars)]
    if platform == "whatsapp":
        out.messages = _whatsapp(pieces, choices if (wa_buttons or wa_list) else [], wa_list)
        return out
    out.messages = [{"text": p} for p in pieces]
    if carousel:
        # the carousel comes after the text that introduces it
        out.messages.append(_generic_template(carousel, limits, public_url))
    if native:
        quick = [
            {"content_type": "text", "title": c["title"], "payload": c["payload"]} for c in choices
        ]
        if out.messages and "text" in out.messages[-1]:
            out.messages[-1]["quick_replies"] = quick
        else:
            out.messages.append({"text": t("channel.choose"), "quick_replies": quick})
    return out


def _generic_template(
    cards: Sequence[Mapping[str, Any]], limits: Limits, public_url: str
) -> dict[str, Any]:
    elements = []
    for card in cards:
        details = ", ".join(p for p in (_price(card), _availability(card)) if p)
        subtitle = " · ".join(p for p in (details, str(card.get("summary") or "")) if p)
        element: dict[str, Any] = {
            "title": shorten(str(card.get("name") or ""), limits.element_title),
            "subtitle": shorten(subtitle, limits.element_subtitle),
        }
        image = absolute(public_url, card.get("image"))
        if image and not image.lower().endswith(".svg"):  # Meta shows JPEG/PNG/GIF only
            element["image_url"] = image
        buttons: list[dict[str, Any]] = []
        url = absolute(public_url, card.get("url"))
        if url:
            title = shorten(t("channel.card.view"), limits.button_title)
            buttons.append({"type": "web_url", "url": url, "title": title})
            element["default_action"] = {"type": "web_url", "url": url}
        ask = t("channel.card.ask_text", name=str(card.get("name") or ""), id=str(card.get("id")))
        buttons.append(
            {
                "type": "postback",
                "title": shorten(t("channel.card.ask"), limits.button_title),
                "payload": ask[: limits.choice_payload],
            }
        )
        element["buttons"] = buttons[: limits.element_buttons]
        elements.append(element)
    return {
        "attachment": {
            "type": "template",
            "payload": {"template_type": "generic", "elements": elements},
        }
    }


def _whatsapp(
    pieces: list[str], choices: Sequence[Mapping[str, str]], as_list: bool
) -> list[dict[str, Any]]:
    """WhatsApp message bodies (without ``to``/``messaging_product``)."""
    limits = LIMITS["whatsapp"]
    messages: list[dict[str, Any]] = [
        {"type": "text", "text": {"body": p, "preview_url": False}} for p in pieces
    ]
    if not choices:
        return messages
    # The choices go on the last text when it fits an interactive body, else on their own.
    body = t("channel.choose")
    if messages and len(pieces[-1]) <= limits.list_body_chars:
        body = pieces[-1]
        messages.pop()
    if as_list:
        action: dict[str, Any] = {
            "button": shorten(t("channel.options_button"), limits.button_title),
            "sections": [{"rows": [{"id": c["payload"], "title": c["title"]} for c in choices]}],
        }
        interactive = {"type": "list", "body": {"text": body}, "action": action}
    else:
        buttons = [
            {"type": "reply", "reply": {"id": c["payload"], "title": c["title"]}} for c in choices
        ]
        interactive = {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    messages.append({"type": "interactive", "interactive": interactive})
    return messages
