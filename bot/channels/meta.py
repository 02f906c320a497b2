"""Meta webhooks (Messenger, Instagram, WhatsApp Cloud API): signatures, verification, parsing.

Pure functions over the raw request, so they are unit-tested in .venv and used unchanged by the
Rasa connectors (rasa_addons/channels/meta.py, Python 3.10): standard library only.

- Every POST carries ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the raw body
  with the app secret; anything else is refused before the body is even parsed.
- The GET subscription check (``hub.mode=subscribe``, ``hub.verify_token``, ``hub.challenge``)
  answers the challenge only for our verify token.
- One webhook carries direct messages (``messaging`` entries; WhatsApp ``messages`` changes)
  and public comments (``changes`` with field ``feed`` on a Page, ``comments`` on Instagram).
  Parsing turns both into plain values; a message we cannot read (a sticker, an image) is kept
  as ``unsupported`` so the shopper gets an answer instead of silence.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SIGNATURE_HEADER = "X-Hub-Signature-256"
PLATFORMS = ("messenger", "instagram", "whatsapp")
# The webhook ``object`` each platform's payloads carry.
WEBHOOK_OBJECT = {
    "messenger": "page",
    "instagram": "instagram",
    "whatsapp": "whatsapp_business_account",
}

Kind = Literal["text", "unsupported"]


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body`` (used by tests' fakes too)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def valid_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the HMAC-SHA256 of the raw ``body`` (constant-time compare)."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(app_secret, body), header.strip())


def subscription_challenge(args: Mapping[str, Any], verify_token: str) -> str | None:
    """The ``hub.challenge`` to echo when the GET is a subscription with our token, else None."""

    def arg(name: str) -> str:
        value = args.get(name)
        if isinstance(value, list):  # Sanic's request.args maps names to lists
            value = value[0] if value else ""
        return value if isinstance(value, str) else ""

    if not verify_token or arg("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(arg("hub.verify_token").encode(), verify_token.encode()):
        return None
    challenge = arg("hub.challenge")
    return challenge if challenge and len(challenge) <= 256 else None


@dataclass(frozen=True)
class Inbound:
    """One direct message: who sent it (the platform's user id) and the text to give Rasa."""

    platform: str
    user_id: str
    text: str
    kind: Kind = "text"
    message_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comment:
    """One new public comment on the shop's Facebook post or Instagram media."""

    platform: str
    comment_id: str
    post_id: str
    author_id: str
    author_name: str
    text: str


def parse_body(body: bytes) -> dict[str, Any] | None:
    """The webhook JSON object, or None when the body is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def parse(platform: str, data: Mapping[str, Any]) -> tuple[list[Inbound], list[Comment]]:
    """Direct messages and new comments in one webhook delivery of ``platform``.

    Deliveries of another object (a Page webhook posted to the WhatsApp URL) give nothing.
    """
    if data.get("object") != WEBHOOK_OBJECT.get(platform):
        return [], []
    messages: list[Inbound] = []
    comments: list[Comment] = []
    for entry in _dicts(data.get("entry")):
        own_id = _str(entry.get("id"))
        if platform == "whatsapp":
            for change in _dicts(entry.get("changes")):
                messages.extend(_whatsapp_messages(change))
            continue
        for event in _dicts(entry.get("messaging")):
            inbound = _messaging_event(platform, event)
            if inbound is not None:
                messages.append(inbound)
        for change in _dicts(entry.get("changes")):
            comment = _comment(platform, change, own_id)
            if comment is not None:
                comments.append(comment)
    return messages, comments


def _messaging_event(platform: str, event: Mapping[str, Any]) -> Inbound | None:
    """A Messenger/Instagram ``messaging`` event as an inbound message (None: not for us)."""
    sender = _str((event.get("sender") or {}).get("id"))
    if not sender:
        return None
    referral = event.get("referral") or (event.get("postback") or {}).get("referral") or {}
    metadata = {"referral": _str(referral.get("ref"))} if isinstance(referral, dict) else {}
    metadata = {k: v for k, v in metadata.items() if v}
    postback = event.get("postback")
    if isinstance(postback, dict):
        payload = _str(postback.get("payload")) or _str(postback.get("title"))
        return Inbound(platform, sender, payload, "text", _str(postback.get("mid")), metadata)
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo") or message.get("is_deleted"):
        return None  # our own replies echoed back, deletions, reads, reactions
    mid = _str(message.get("mid"))
    quick = message.get("quick_reply")
    if isinstance(quick, dict) and _str(quick.get("payload")):
        return Inbound(platform, sender, _str(quick.get("payload")), "text", mid, metadata)
    text = _str(message.get("text"))
    if text.strip():
        return Inbound(platform, sender, text, "text", mid, metadata)
    return Inbound(platform, sender, "", "unsupported", mid, metadata)


def _whatsapp_messages(change: Mapping[str, Any]) -> list[Inbound]:
    value = change.get("value")
    if change.get("field") != "messages" or not isinstance(value, dict):
        return []
    phone_number_id = _str((value.get("metadata") or {}).get("phone_number_id"))
    out = []
    for message in _dicts(value.get("messages")):  # statuses (sent/read) carry no messages
        sender = _str(message.get("from"))
        if not sender:
            continue
        kind = message.get("type")
        text = ""
        if kind == "text":
            text = _str((message.get("text") or {}).get("body"))
        elif kind == "interactive":
            interactive = message.get("interactive") or {}
            reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
            text = _str(reply.get("id")) or _str(reply.get("title"))
        elif kind == "button":
            button = message.get("button") or {}
            text = _str(button.get("payload")) or _str(button.get("text"))
        metadata = {"phone_number_id": phone_number_id} if phone_number_id else {}
        out.append(
            Inbound(
                "whatsapp",
                sender,
                text,
                "text" if text.strip() else "unsupported",
                _str(message.get("id")),
                metadata,
            )
        )
    return out


def _comment(platform: str, change: Mapping[str, Any], own_id: str) -> Comment | None:
    """A new comment from someone other than the shop itself (its replies come back too)."""
    value = change.get("value")
    if not isinstance(value, dict):
        return None
    if platform == "messenger":
        if change.get("field") != "feed" or value.get("item") != "comment":
            return None
        if value.get("verb") != "add":
            return None  # edits, hides and removals
        author = value.get("from") or {}
        comment = Comment(
            platform,
            _str(value.get("comment_id")),
            _str(value.get("post_id")),
            _str(author.get("id")),
            _str(author.get("name")),
            _str(value.get("message")),
        )
    elif platform == "instagram":
        if change.get("field") != "comments":
            return None
        author = value.get("from") or {}
        comment = Comment(
            platform,
            _str(value.get("id")),
            _str((value.get("media") or {}).get("id")),
            _str(author.get("id")),
            _str(author.get("username")),
            _str(value.get("text")),
        )
    else:
        return None
    if not comment.comment_id or not comment.author_id or comment.author_id == own_id:
        return None
    return comment
