"""Pseudonymous conversation references for staff (lists, hand-offs, audit, exports).

A conversation's sender id is how Rasa files it; shown to staff it ended up in screenshots,
tickets and exports, and with it anyone could address the conversation. Staff see a short
keyed hash instead: stable (the same conversation always has the same reference, so it can
be quoted and searched), and useless outside the console (it cannot be turned back into the
sender id without the server's secret).
"""

from __future__ import annotations

import hashlib
import hmac

from bot.settings import get_settings


def conversation_ref(sender_id: str | None) -> str:
    """``c-`` + 12 hex digits of HMAC-SHA256(secret, sender id); "" for no sender."""
    if not sender_id:
        return ""
    settings = get_settings()
    secret = (settings.session_secret or settings.secret_key).get_secret_value()
    mac = hmac.new(secret.encode(), b"conversation-ref:" + sender_id.encode(), hashlib.sha256)
    return "c-" + mac.hexdigest()[:12]
