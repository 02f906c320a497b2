"""Telegram: webhook updates in, our replies out as Bot API calls, within Telegram's limits.

Pure functions (no I/O) used by the Rasa connector ``rasa_addons/channels/telegram.py``:

- :func:`secret_ok`: every webhook call carries ``X-Telegram-Bot-Api-Secret-Token``, the
  ``secret_token`` given to ``setWebhook``; anything else is refused.
- :func:`parse_update`: a private chat's text message or button press → one shopper message
  (``/start <token>`` deep links carry a signed link token; see docs/channels/telegram-twilio.md).
- :func:`render`: one bot message (text, quick replies, custom payload) → ``sendMessage`` /
  ``sendPhoto`` calls. Quick replies become an inline keyboard; product cards a photo with a
  caption (raster image with a public URL) or text; order summaries and hand-off notices text.

Standard library + ``bot.texts`` + ``bot.channels.plaintext`` only: the Rasa process imports it.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.channels.plaintext import absolute_url, card_text, numbered_options, payload_texts
from bot.channels.plaintext import split_text as split
from bot.texts import t

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Limits of the Bot API (https://core.telegram.org/bots/api), written once and tested.
LIMITS: Mapping[str, int] = {
    "text_chars": 4096,  # sendMessage.text: 1-4096 characters after entities parsing
    "caption_chars": 1024,  # sendPhoto.caption: 0-1024 characters
    "callback_data_bytes": 64,  # InlineKeyboardButton.callback_data: 1-64 bytes
    "inline_buttons": 100,  # buttons in one inline keyboard (Bot API reply markup limit)
    "start_param_chars": 64,  # deep-link start parameter, A-Z a-z 0-9 _ -
    "secret_token_chars": 256,  # setWebhook.secret_token: 1-256 characters, A-Z a-z 0-9 _ -
}
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
START = re.compile(r"^/start(?:@\w+)?(?:\s+([A-Za-z0-9_-]{1,64}))?\s*$")
# A button whose payload does not fit callback_data sends "#<n>": the n-th quick reply of
# the bot's last message, which the connector looks up in the conversation (see option_payload).
OPTION_REF = re.compile(r"^#(\d{1,3})$")
RASTER = re.compile(r"\.(?:jpe?g|png|webp|gif)(?:\?.*)?$", re.IGNORECASE)
GREET = "/greet"  # Telegram's /start opens a chat: the shopper said hello


@dataclass(frozen=True)
class Incoming:
    """One shopper message from an update."""

    chat_id: int
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    callback_query_id: str | None = None
    supported: bool = True  # False: a photo, sticker, voice note... (answered, not parsed)

    @property
    def sender_id(self) -> str:
        return f"{CHANNEL}:{self.chat_id}"


@dataclass(frozen=True)
class ApiCall:
    """One Bot API method call (``POST <base>/bot<token>/<method>`` with a JSON body)."""

    method: str
    params: dict[str, Any]


def secret_ok(received: str | None, expected: str | None) -> bool:
    """Constant-time check of the webhook's secret token (never true without a secret)."""
    if not expected or not received:
        return False
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def chat_id_of(sender_id: str) -> int | None:
    """``telegram:12345`` → 12345 (None for other channels' senders)."""
    prefix, _, rest = sender_id.partition(":")
    if prefix != CHANNEL or not re.fullmatch(r"-?\d{1,20}", rest):
        return None
    return int(rest)


def parse_update(update: Any) -> Incoming | None:
    """The shopper message in a webhook update, or None for anything to ignore.

    Only private chats are served: in a group every member would read the shopper's orders.
    """
    if not isinstance(update, Mapping):
        return None
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        chat = (query.get("message") or {}).get("chat") or {}
        data = query.get("data")
        if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
            return None
        if not isinstance(data, str) or not data:
            return None
        return Incoming(chat["id"], data, callback_query_id=str(query.get("id") or ""))
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None  # edited messages, channel posts, member updates...
    chat = message.get("chat") or {}
    if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
        log.info("telegram update from a %s chat ignored", chat.get("type"))
        return None
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return Incoming(chat["id"], "", supported=False)
    start = START.match(text.strip())
    if start:
        metadata = {"link_token": start.group(1)} if start.group(1) else {}
        return Incoming(chat["id"], GREET, metadata=metadata)
    return Incoming(chat["id"], text)


def option_payload(text: str, buttons: Sequence[Mapping[str, Any]]) -> str | None:
    """The payload an option reference ("#2" from a button) stands for, given the quick replies
    of the bot's last message; None when ``text`` is not such a reference or out of range."""
    match = OPTION_REF.match(text.strip())
    if not match:
        return None
    index = int(match.group(1)) - 1
    if 0 <= index < len(buttons):
        payload = buttons[index].get("payload")
        return str(payload) if payload else None
    return None


def _keyboard(buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    rows = []
    for i, button in enumerate(buttons, start=1):
        payload = str(button.get("payload") or button.get("title") or "")
        fits = 0 < len(payload.encode("utf-8")) <= LIMITS["callback_data_bytes"]
        data = payload if fits else f"#{i}"
        rows.append([{"text": str(button.get("title") or payload), "callback_data": data}])
    return {"inline_keyboard": rows}


def _texts(chat_id: int, text: str, markup: dict[str, Any] | None = None) -> list[ApiCall]:
    pieces = split(text, LIMITS["text_chars"]) if text.strip() else []
    calls = [ApiCall("sendMessage", {"chat_id": chat_id, "text": piece}) for piece in pieces]
    if markup is not None:
        if not calls:  # buttons need a message to hang on
            calls.append(ApiCall("sendMessage", {"chat_id": chat_id, "text": "…"}))
        calls[-1].params["reply_markup"] = markup
    return calls


def _photo_card(chat_id: int, card: Mapping[str, Any], image: str, link: str) -> list[ApiCall]:
    """A card with a raster image: the photo with the card as caption (the rest as text)."""
    markup = (
        {"inline_keyboard": [[{"text": t("channel.card.view"), "url": link}]]} if link else None
    )
    text = card_text({**card, "url": None} if link else card)
    caption, *rest = split(text, LIMITS["caption_chars"]) or [""]
    photo: dict[str, Any] = {"chat_id": chat_id, "photo": image, "caption": caption}
    if markup and not rest:
        photo["reply_markup"] = markup
    return [
        ApiCall("sendPhoto", photo),
        *_texts(chat_id, "\n".join(rest), markup if rest else None),
    ]


def _cards(chat_id: int, cards: Sequence[Mapping[str, Any]], base_url: str | None) -> list[ApiCall]:
    """Product cards: a photo for each card with a raster image; the others together in one
    text (one message, not one per card) with a "View <name>" link button per card when every
    one has a public link and they fit the keyboard, else with the links in the text."""
    calls: list[ApiCall] = []
    plain: list[Mapping[str, Any]] = []
    for card in cards:
        image = absolute_url(card.get("image"), base_url)
        if image and RASTER.search(image):
            calls += _photo_card(chat_id, card, image, absolute_url(card.get("url"), base_url))
        else:
            plain.append(card)
    if not plain:
        return calls
    links = [absolute_url(card.get("url"), base_url) for card in plain]
    if all(links) and len(links) <= LIMITS["inline_buttons"]:
        text = "\n\n".join(card_text({**card, "url": None}) for card in plain)
        buttons = [
            [
                {
                    "text": t("channel.card.view_named", name=str(c.get("name") or c.get("id"))),
                    "url": link,
                }
            ]
            for c, link in zip(plain, links, strict=True)
        ]
        return calls + _texts(chat_id, text, {"inline_keyboard": buttons})
    return calls + _texts(chat_id, "\n\n".join(card_text(card, base_url) for card in plain))


def render(chat_id: int, message: Mapping[str, Any], base_url: str | None = None) -> list[ApiCall]:
    """The Bot API calls that show one bot message (Rasa's message dict) in the chat."""
    calls: list[ApiCall] = []
    custom = message.get("custom")
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, Mapping)]
    text = str(message.get("text") or "")
    if isinstance(custom, Mapping) and custom.get("type") == "product_cards":
        if custom.get("text"):
            calls += _texts(chat_id, str(custom["text"]))
        cards = [c for c in custom.get("products") or [] if isinstance(c, Mapping)]
        calls += _cards(chat_id, cards, base_url)
    elif isinstance(custom, Mapping) and custom.get("type") == "agent_message":
        # The event's text repeats the agent's words; the payload says who wrote them.
        text = ""
        calls += _texts(chat_id, "\n\n".join(payload_texts(custom, base_url)))
    elif custom is not None:
        calls += _texts(chat_id, "\n\n".join(payload_texts(custom, base_url)))
    if message.get("image"):
        image = absolute_url(message["image"], base_url)
        if image:
            calls.append(ApiCall("sendPhoto", {"chat_id": chat_id, "photo": image}))
    if len(buttons) > LIMITS["inline_buttons"]:
        text = "\n\n".join(x for x in (text, numbered_options(buttons)) if x)
        buttons = []
    calls += _texts(chat_id, text, _keyboard(buttons) if buttons else None)
    return calls
