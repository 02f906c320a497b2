"""Pseudonymous references the console shows instead of raw identifiers.

A reference is a short keyed hash (HMAC-SHA256) of the identifier: stable, so staff can
follow one customer across conversations, but not reversible and not recomputable without
the key (``SHOPBOT_PSEUDONYM_SECRET``, else derived from ``SHOPBOT_SECRET_KEY``). One
function per kind of identifier; the kind is part of the hashed input so a customer id and
a sender id that happen to be equal get different references.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pydantic import SecretStr

from bot.settings import InsecureSecretError, Settings

_LENGTH = 12


def _key(settings: Settings | None = None) -> bytes:
    if settings is None:  # the process's key: the same one the web app and the CLI use
        from bot.bootstrap import services

        settings = services().settings
    if settings.pseudonym_secret is not None:
        return settings.pseudonym_secret.get_secret_value().encode()
    if settings.secret_key is None:
        if not settings.is_embedded:  # references must match the web app's: its key
            raise InsecureSecretError(
                "console references need SHOPBOT_PSEUDONYM_SECRET or SHOPBOT_SECRET_KEY"
            )
        settings.secret_key = SecretStr(secrets.token_hex(32))  # embedded: random per run
    base = settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"shopbot-console-pseudonym\0" + base).digest()


def _ref(kind: str, prefix: str, value: str | None, settings: Settings | None = None) -> str:
    if not value:
        return ""
    digest = hmac.new(_key(settings), f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:_LENGTH]}"


def customer_ref(customer_id: str | None) -> str:
    """``customer #C-1a2b3c4d5e`` style reference of a shop customer id ("" for none)."""
    return _ref("customer", "C", customer_id)


def conversation_ref(sender_id: str | None, settings: Settings | None = None) -> str:
    """``c-`` reference of a conversation's sender id (Rasa's conversation key), "" for none.

    The sender id addresses the conversation (docs/security.md, finding 7), so staff lists,
    hand-offs, the audit log, exports and saved stories show this instead.
    """
    return _ref("session", "c", sender_id, settings)
