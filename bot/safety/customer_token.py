"""Signed customer tokens: how a shop's logged-in page vouches for its shopper to the bot.

The host page (which already knows who is logged in) signs the customer id with a secret it
shares with the action server; the widget passes the token in the message metadata, and the
identify action verifies it. Only a valid, unexpired signature identifies a shopper, so a token
typed or edited by hand is worth nothing.

Format: ``<base64url(customer_id "|" expiry)>.<base64url(HMAC-SHA256(secret, first part))>``.
The token is never logged: it is a bearer credential until it expires.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time

from pydantic import SecretStr

log = logging.getLogger(__name__)

MAX_TOKEN_CHARS = 1024
MAX_CUSTOMER_ID_CHARS = 60


def _secret_bytes(secret: str | bytes | SecretStr) -> bytes:
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return secret


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: bytes) -> str:
    return _b64encode(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def sign_customer_token(
    customer_id: str, secret: str | bytes | SecretStr, ttl_s: int, *, now: float | None = None
) -> str:
    """A token saying "this is ``customer_id``" valid for ``ttl_s`` seconds."""
    key = _secret_bytes(secret)
    if not key:
        raise ValueError("an empty secret cannot sign customer tokens")
    if not customer_id or len(customer_id) > MAX_CUSTOMER_ID_CHARS or "|" in customer_id:
        raise ValueError("customer id must be 1-60 characters without '|'")
    if ttl_s <= 0:
        raise ValueError("ttl_s must be positive")
    expires = int((time.time() if now is None else now) + ttl_s)
    payload = _b64encode(f"{customer_id}|{expires}".encode())
    return f"{payload}.{_signature(payload, key)}"


def verify_customer_token(
    token: object, secret: str | bytes | SecretStr | None, *, now: float | None = None
) -> str | None:
    """The customer id a valid token vouches for, else ``None`` (and a log line saying why)."""
    if secret is None or not _secret_bytes(secret):
        log.warning("customer token ignored: no customer token secret is configured")
        return None
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        log.warning("customer token ignored: missing, not a string or too long")
        return None
    parts = token.split(".")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        log.warning("customer token ignored: not signed (malformed)")
        return None
    payload, signature = parts
    try:
        expected = _signature(payload, _secret_bytes(secret))
    except UnicodeEncodeError:
        log.warning("customer token ignored: malformed characters")
        return None
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        log.warning("customer token ignored: bad signature (tampered or signed with another key)")
        return None
    try:
        customer_id, expires_text = _b64decode(payload).decode("utf-8").rsplit("|", 1)
        expires = int(expires_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        log.warning("customer token ignored: signed payload is malformed")
        return None
    if expires <= (time.time() if now is None else now):
        log.info("customer token ignored: expired")
        return None
    if not customer_id:
        log.warning("customer token ignored: empty customer id")
        return None
    return customer_id


# Compact link tokens: the same signed statement for places that only carry a short, plain
# parameter, e.g. Telegram's deep link ``t.me/<bot>?start=<param>`` (1-64 characters from
# A-Z a-z 0-9 _ -, https://core.telegram.org/bots/features#deep-linking). Format:
# ``base64url(customer_id + 4-byte big-endian expiry)`` followed by a fixed-length
# ``base64url(first 16 bytes of HMAC-SHA256(secret, "shopbot-link:" + first part))``.
LINK_TOKEN_MAX_CHARS = 64
_LINK_SIG_BYTES = 16
_LINK_SIG_CHARS = 22  # base64url of 16 bytes, unpadded
_LINK_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _link_signature(payload: str, secret: bytes) -> str:
    mac = hmac.new(secret, b"shopbot-link:" + payload.encode("ascii"), hashlib.sha256)
    return _b64encode(mac.digest()[:_LINK_SIG_BYTES])


def sign_link_token(
    customer_id: str, secret: str | bytes | SecretStr, ttl_s: int, *, now: float | None = None
) -> str:
    """A deep-link parameter saying "this is ``customer_id``" for ``ttl_s`` seconds.

    Raises ``ValueError`` when the id is too long for the 64 characters a link may carry
    (customer ids of up to 27 bytes fit).
    """
    key = _secret_bytes(secret)
    if not key:
        raise ValueError("an empty secret cannot sign link tokens")
    if not customer_id or ttl_s <= 0:
        raise ValueError("a customer id and a positive ttl_s are required")
    expires = int((time.time() if now is None else now) + ttl_s)
    payload = _b64encode(customer_id.encode("utf-8") + expires.to_bytes(4, "big"))
    token = payload + _link_signature(payload, key)
    if len(token) > LINK_TOKEN_MAX_CHARS:
        raise ValueError("customer id too long for a link token")
    return token


def verify_link_token(
    token: object, secret: str | bytes | SecretStr | None, *, now: float | None = None
) -> str | None:
    """The customer id a valid link token vouches for, else ``None`` (and a log line)."""
    if secret is None or not _secret_bytes(secret):
        log.warning("link token ignored: no customer token secret is configured")
        return None
    if (
        not isinstance(token, str)
        or not _LINK_SIG_CHARS < len(token) <= LINK_TOKEN_MAX_CHARS
        or not set(token) <= _LINK_CHARS
    ):
        log.warning("link token ignored: missing or malformed")
        return None
    payload, signature = token[:-_LINK_SIG_CHARS], token[-_LINK_SIG_CHARS:]
    expected = _link_signature(payload, _secret_bytes(secret))
    if not hmac.compare_digest(expected, signature):
        log.warning("link token ignored: bad signature (tampered or signed with another key)")
        return None
    try:
        raw = _b64decode(payload)
        customer_id, expires = raw[:-4].decode("utf-8"), int.from_bytes(raw[-4:], "big")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        log.warning("link token ignored: signed payload is malformed")
        return None
    if len(raw) < 5 or not customer_id:
        log.warning("link token ignored: empty customer id")
        return None
    if expires <= (time.time() if now is None else now):
        log.info("link token ignored: expired")
        return None
    return customer_id
