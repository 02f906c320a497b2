"""An output channel that renders every bot message whole, in ``send_response``.

Rasa's ``OutputChannel.send_response`` cuts a message into ``send_text_message``,
``send_text_with_buttons``, ``send_custom_json`` ... calls; the platform connectors render a
message as one unit (text and its quick replies in one API call, cards as a carousel), so the
pieces Rasa calls directly (a hand-off event appended through the API, for one) are routed back
into the connector's own ``send_response``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import OutputChannel


class WholeMessageOutput(OutputChannel):
    """Each ``send_*`` piece becomes one message for the subclass's ``send_response``."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"custom": json_message})
