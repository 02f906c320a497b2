"""Moved to :mod:`bot.safety.customer_token`; this name stays until bot/dialogue imports that.

The dialogue verifies tokens too, and ``bot.web`` sits above it (the web app mounts the
console, which uses insights, which uses the dialogue's replies), so the primitive lives in
``bot.safety``. Delete this module once nothing imports it (tests/test_import_graph.py lists
the ``dialogue -> web`` edge as a known exception until then).
"""

from __future__ import annotations

from bot.safety.customer_token import (
    MAX_CUSTOMER_ID_CHARS,
    MAX_TOKEN_CHARS,
    sign_customer_token,
    verify_customer_token,
)

__all__ = [
    "MAX_CUSTOMER_ID_CHARS",
    "MAX_TOKEN_CHARS",
    "sign_customer_token",
    "verify_customer_token",
]
