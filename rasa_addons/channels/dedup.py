"""Platforms redeliver a webhook they think failed (Telegram after a timeout or an error,
Twilio on retries): each delivery id is handled once per Rasa process."""

from __future__ import annotations

from collections import OrderedDict


class SeenIds:
    """The last ``size`` delivery ids (Telegram ``update_id``, Twilio ``MessageSid``)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, delivery_id: object) -> bool:
        """True the first time an id is seen (and for deliveries without one)."""
        if delivery_id is None or delivery_id == "":
            return True
        key = str(delivery_id)
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True
