"""The quick replies of the bot's last message in a conversation, read from the tracker.

Platforms that cannot carry our button payloads (WhatsApp through Twilio shows numbered
options; a Telegram button's ``callback_data`` holds at most 64 bytes) send back a number. The
conversation itself is the state: the bot's last message with buttons is in the tracker, so
"2" maps to its second button's payload on whichever Rasa replica receives it.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_addons.input_limits import _tracker_store

log = logging.getLogger(__name__)


async def last_buttons(sender_id: str) -> list[dict[str, Any]]:
    """Buttons of the last bot message since the shopper's last message ([] if none)."""
    store = _tracker_store()
    if store is None:
        return []
    try:
        tracker = await store.retrieve(sender_id)
    except Exception:  # the guard reports an unreadable conversation right after
        log.warning("tracker of %s unreadable while mapping an option number", sender_id)
        return []
    if tracker is None:
        return []
    for event in reversed(tracker.events):
        kind = getattr(event, "type_name", "")
        if kind == "user":
            return []
        if kind == "bot":
            buttons = (getattr(event, "data", None) or {}).get("buttons")
            if buttons:
                return [b for b in buttons if isinstance(b, dict)]
    return []
