"""WhatsApp through Twilio: signed webhook form posts in, our replies out as message bodies.

Pure functions (no I/O) used by ``rasa_addons/channels/twilio_whatsapp.py``:

- :func:`signature` / :func:`signature_ok`: Twilio signs every webhook with
  ``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, URL + each POST parameter's name and
  value, sorted by name)) (https://www.twilio.com/docs/usage/security#validating-requests).
- :func:`parse_form`: the webhook's form fields → one shopper message.
- :func:`render`: one bot message → the bodies to send. WhatsApp through Twilio has no
  buttons in a free-form reply, so quick replies are numbered lines; the shopper's "2" is
  mapped back to the second button's payload (:func:`option_payload`). Cards, order summaries
  and hand-off notices are text (bot/channels/plaintext.py).

Standard library + ``bot.texts`` only: the Rasa process imports this.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.plaintext import numbered_options, payload_texts, split_text

CHANNEL = "twilio_whatsapp"
SIGNATURE_HEADER = "X-Twilio-Signature"
WHATSAPP_PREFIX = "whatsapp:"

# Twilio's limits (https://www.twilio.com/docs/whatsapp/api#messaging-limits), written once.
LIMITS: Mapping[str, int] = {
    "body_chars": 1600,  # a WhatsApp message body sent through Twilio
}
PHONE = re.compile(r"^\+[1-9]\d{6,15}$")
NUMBER_REPLY = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")


@dataclass(frozen=True)
class Incoming:
    """One shopper message from a webhook."""

    phone: str  # E.164, "+15550001234"
    text: str
    supported: bool = True  # False: media without text (answered, not parsed)

    @property
    def sender_id(self) -> str:
        return f"{CHANNEL}:{self.phone}"


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The ``X-Twilio-Signature`` Twilio computes for a POST to ``url`` with ``params``."""
    data = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_ok(
    received: str | None, auth_token: str | None, url: str, params: Mapping[str, str]
) -> bool:
    """Constant-time check of a webhook's signature (never true without a token)."""
    if not auth_token or not received:
        return False
    expected = signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8", "replace"))


def phone_of(sender_id: str) -> str | None:
    """``twilio_whatsapp:+1555...`` → ``+1555...`` (None for other channels' senders)."""
    prefix, _, rest = sender_id.partition(":")
    return rest if prefix == CHANNEL and PHONE.match(rest) else None


def parse_form(form: Mapping[str, str]) -> Incoming | None:
    """The shopper message of an incoming-message webhook, or None (status callbacks...)."""
    if form.get("MessageStatus"):  # a delivery status callback of one of our messages
        return None
    sender = str(form.get("From") or "")
    if not sender.startswith(WHATSAPP_PREFIX) or not PHONE.match(sender[len(WHATSAPP_PREFIX) :]):
        return None
    phone = sender[len(WHATSAPP_PREFIX) :]
    body = str(form.get("Body") or "")
    if not body.strip():
        return Incoming(phone, "", supported=False)
    return Incoming(phone, body)


def option_payload(text: str, buttons: Sequence[Mapping[str, Any]]) -> str | None:
    """The payload of the numbered option the shopper answered ("2" → 2nd button), if any."""
    match = NUMBER_REPLY.match(text)
    if not match:
        return None
    index = int(match.group(1)) - 1
    if 0 <= index < len(buttons):
        payload = buttons[index].get("payload")
        return str(payload) if payload else None
    return None


def render(message: Mapping[str, Any], base_url: str | None = None) -> list[str]:
    """The message bodies (each at most 1600 characters) that show one bot message."""
    parts: list[str] = []
    custom = message.get("custom")
    text = str(message.get("text") or "")
    if isinstance(custom, Mapping) and custom.get("type") == "agent_message":
        text = ""  # the payload carries the agent's words with who wrote them
    if text.strip():
        parts.append(text)
    if custom is not None:
        parts += payload_texts(custom, base_url)
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, Mapping)]
    if buttons:
        parts.append(numbered_options(buttons))
    bodies: list[str] = []
    for part in parts:
        bodies += split_text(part, LIMITS["body_chars"])
    return bodies
