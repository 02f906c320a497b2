"""Signed conversation ids: knowing a shopper's sender id is not enough to join their chat.

A conversation id issued by the Socket.IO channel is ``sb_`` + 128 random bits; the widget
keeps it together with an HMAC signature (``<id>.<sig>``, secret ``SHOPBOT_SESSION_SECRET``,
else ``SHOPBOT_SECRET_KEY``). Rasa, the console and the event log only ever see the id; the
signature is the credential and stays in the shopper's browser. A channel accepts the id part
only when the signature matches, so a sender id seen in a list, an export, a log line or a
URL cannot be used to read or continue the conversation:

- Socket.IO: ``session_request`` with a valid signed id joins that conversation; anything else
  gets a freshly issued one. Messages go to the conversation bound to the socket, whatever
  ``session_id`` the message names.
- REST: a signed sender is taken as its id part; an unsigned sender in the issued (``sb_``)
  namespace is refused, so REST cannot reach a widget conversation by its bare id; nor can
  it reach a social channel's conversation (``messenger:<id>``...), whose ids are not secret.

The channels also put the client's address into the message metadata as ``client_ip``
(overriding whatever the client sent), so the action server can limit identification guesses
per client across sender ids.

Kept free of ``bot`` imports: this module runs inside the Rasa process (.venv-rasa).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from functools import lru_cache
from typing import Any

from rasa_addons.settings import current

log = logging.getLogger(__name__)

ISSUED_PREFIX = "sb_"
SIGNED = re.compile(r"^(sb_[0-9a-f]{32})\.([0-9a-f]{32})$")
CLIENT_IP_KEY = "client_ip"
# Conversations of the social channels (issue 19) are addressed only by their webhooks, which
# check the platform's signature: ``<channel>:<platform user id>``, ``<channel>_comment:<id>``.
CHANNEL_SENDER = re.compile(
    r"^(?:messenger|instagram|whatsapp|telegram|twilio_whatsapp)(?:_comment)?:", re.IGNORECASE
)
_DEV_SECRET = "dev-only-change-me"  # the Settings default; production sets a real secret


def _secret() -> bytes:
    secret = current().session_secret
    if not secret:
        _warn_dev_secret()
    return (secret or _DEV_SECRET).encode()


@lru_cache(maxsize=1)
def _warn_dev_secret() -> None:
    log.warning(
        "SHOPBOT_SESSION_SECRET (or SHOPBOT_SECRET_KEY) is not set: session ids are signed "
        "with the public development secret; set one in production"
    )


def _signature(sender_id: str) -> str:
    mac = hmac.new(_secret(), b"shopbot-session:" + sender_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def sign(sender_id: str) -> str:
    """``<id>.<sig>`` for an issued id (what the shopper's browser keeps)."""
    return f"{sender_id}.{_signature(sender_id)}"


def issue() -> str:
    """A new signed conversation id with 128 random bits."""
    return sign(ISSUED_PREFIX + secrets.token_hex(16))


def verify(signed: Any) -> str | None:
    """The sender id a signed id stands for, or None when it is not validly signed."""
    if not isinstance(signed, str):
        return None
    match = SIGNED.match(signed)
    if match is None:
        return None
    sender_id, signature = match.groups()
    return sender_id if hmac.compare_digest(signature, _signature(sender_id)) else None


def rest_sender(raw: Any) -> str:
    """The sender id a REST body's ``sender`` may address ("" when it may address none).

    Signed ids give their id part; a bare id in the issued namespace is refused (it belongs
    to a widget conversation whose signature the caller does not have); other ids (tests,
    load tools, server-side integrations) are unchanged.
    """
    if not isinstance(raw, str):
        return ""
    verified = verify(raw)
    if verified is not None:
        return verified
    if raw.startswith(ISSUED_PREFIX):
        log.warning("REST message for an issued conversation id without a valid signature")
        return ""
    if CHANNEL_SENDER.match(raw):
        # knowing a Messenger/WhatsApp user's id must not let REST read their conversation
        log.warning("REST message for a social channel's conversation refused")
        return ""
    return raw


def with_client_ip(metadata: Any, client_ip: str | None) -> dict[str, Any]:
    """The message metadata with ``client_ip`` set by the channel (never by the client)."""
    out = dict(metadata) if isinstance(metadata, dict) else {}
    out.pop(CLIENT_IP_KEY, None)
    if client_ip:
        out[CLIENT_IP_KEY] = client_ip
    return out


def request_ip(request: Any) -> str | None:
    """The client address of a Sanic request (``remote_addr`` honours Sanic's proxy settings:
    ``PROXIES_COUNT`` / ``REAL_IP_HEADER``; otherwise the socket peer)."""
    if request is None:
        return None
    return getattr(request, "remote_addr", "") or getattr(request, "ip", "") or None
