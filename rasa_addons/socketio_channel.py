"""Rasa's Socket.IO channel with custom payloads that actually reach the browser.

Rasa 3.6's ``SocketIOOutput.send_custom_json`` spreads the custom dict into
``sio.emit(event, **json_message)``, so an action's ``json_message={"type": "product_cards",
...}`` (the IDS.md payloads) fails with ``emit() got an unexpected keyword argument 'type'``
and the shopper sees nothing. This channel emits the payload as the event's data instead, the
same way text messages are sent, so the widget receives ``{"type": ..., ...}``. Everything else
(session persistence, metadata, event names, the ``socketio`` channel name) is Rasa's own.

credentials.yml::

    rasa_addons.socketio_channel.ShopSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from rasa_addons.input_limits import InputGuard

logger = logging.getLogger(__name__)

# With several Rasa replicas, a message emitted by one replica (e.g. a staff reply pushed
# through the HTTP API) must reach a shopper whose socket is connected to another one:
# python-socketio's Redis client manager relays emits between the replicas' servers.
SOCKETIO_REDIS_URL_ENV = "SHOPBOT_SOCKETIO_REDIS_URL"


class ShopSocketIOOutput(SocketIOOutput):
    """Sends custom JSON as one ``bot_uttered`` payload."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, json_message)


class ShopSocketIOInput(SocketIOInput):
    """``socketio`` input whose replies go through :class:`ShopSocketIOOutput`."""

    def get_output_channel(self) -> SocketIOOutput | None:
        channel = super().get_output_channel()
        return ShopSocketIOOutput(channel.sio, channel.bot_message_evt) if channel else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guarded = InputGuard().wrap(on_new_message)  # size, rate per sender, clean text

        async def on_message(message: UserMessage) -> Any:
            out = message.output_channel
            if isinstance(out, SocketIOOutput) and not isinstance(out, ShopSocketIOOutput):
                message.output_channel = ShopSocketIOOutput(out.sio, out.bot_message_evt)
            return await guarded(message)

        redis_url = os.environ.get(SOCKETIO_REDIS_URL_ENV)
        if not redis_url:
            return super().blueprint(on_message)
        import rasa.core.channels.socketio as rasa_socketio
        from socketio import AsyncRedisManager

        # Rasa builds its AsyncServer inside blueprint(); hand it a Redis client manager.
        original = rasa_socketio.AsyncServer
        rasa_socketio.AsyncServer = partial(  # type: ignore[misc]
            original, client_manager=AsyncRedisManager(redis_url, channel="shopbot-socketio")
        )
        try:
            logger.info("Socket.IO emits are shared between replicas through Redis.")
            return super().blueprint(on_message)
        finally:
            rasa_socketio.AsyncServer = original  # type: ignore[misc]
