"""Rasa's Socket.IO channel with custom payloads that actually reach the browser.

Rasa 3.6's ``SocketIOOutput.send_custom_json`` spreads the custom dict into
``sio.emit(event, **json_message)``, so an action's ``json_message={"type": "product_cards",
...}`` (the IDS.md payloads) fails with ``emit() got an unexpected keyword argument 'type'``
and the shopper sees nothing. This channel emits the payload as the event's data instead, the
same way text messages are sent, so the widget receives ``{"type": ..., ...}``. Everything else
(metadata, event names, the ``socketio`` channel name) is Rasa's own, except that with
session persistence the conversation id is issued and signed by the server and bound to the
socket (:func:`bind_sessions`, rasa_addons/session_ids.py).

Session ids come from the client: a ``session_request`` with an unusable id (outside the
sender-id charset of ``input_limits``, e.g. with a NUL byte or a lone surrogate) is given a
fresh one, and a message carrying such an id is refused with a ``bot_uttered`` apology to that
socket alone plus an ``error`` event, before Rasa sees it. Metadata that is neither an object
nor a JSON object string is dropped instead of failing in Rasa's handler.

credentials.yml::

    rasa_addons.socketio_channel.ShopSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from rasa_addons import session_ids
from rasa_addons.input_limits import BAD_SENDER, InputGuard, guard_text, valid_sender
from rasa_addons.settings import current

logger = logging.getLogger(__name__)

# With several Rasa replicas, a message emitted by one replica (e.g. a staff reply pushed
# through the HTTP API) must reach a shopper whose socket is connected to another one:
# python-socketio's Redis client manager relays emits between the replicas' servers.


# Custom payloads that carry their own text (a staff member's message in a hand-off): the
# event keeps ``text`` for transcripts, but the widget must get the payload alone, or it
# would show the text twice, once as if the assistant had said it.
SELF_CONTAINED_PAYLOADS = frozenset({"agent_message"})


class ShopSocketIOOutput(SocketIOOutput):
    """Sends custom JSON as one ``bot_uttered`` payload."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") in SELF_CONTAINED_PAYLOADS:
            await self.send_custom_json(recipient_id, custom)
            return
        await super().send_response(recipient_id, message)

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
        guard = InputGuard()
        guarded = guard.wrap(on_new_message)  # size, rate per sender, clean text

        async def on_message(message: UserMessage) -> Any:
            out = message.output_channel
            if isinstance(out, SocketIOOutput) and not isinstance(out, ShopSocketIOOutput):
                message.output_channel = ShopSocketIOOutput(out.sio, out.bot_message_evt)
            return await guarded(message)

        redis_url = current().socketio_redis_url
        if not redis_url:
            return self._bound(super().blueprint(on_message), on_message, guard.max_sender_chars)
        import rasa.core.channels.socketio as rasa_socketio
        from socketio import AsyncRedisManager

        # Rasa builds its AsyncServer inside blueprint(); hand it a Redis client manager.
        original = rasa_socketio.AsyncServer
        rasa_socketio.AsyncServer = partial(  # type: ignore[misc]
            original, client_manager=AsyncRedisManager(redis_url, channel="shopbot-socketio")
        )
        try:
            logger.info("Socket.IO emits are shared between replicas through Redis.")
            return self._bound(super().blueprint(on_message), on_message, guard.max_sender_chars)
        finally:
            rasa_socketio.AsyncServer = original  # type: ignore[misc]

    def _bound(
        self,
        blueprint: Blueprint,
        on_message: Callable[[UserMessage], Awaitable[Any]],
        max_chars: int,
    ) -> Blueprint:
        """Session persistence: server-issued, socket-bound conversations (bind_sessions);
        without it every socket is its own conversation and only ids/metadata are checked."""
        if self.session_persistence and self.sio is not None:
            bind_sessions(self, on_message)
            return blueprint
        return self._guard_sessions(blueprint, max_chars)

    def _guard_sessions(self, blueprint: Blueprint, max_chars: int) -> Blueprint:
        """Check the client's session ids and metadata in front of Rasa's handlers."""
        handlers = self.sio.handlers[self.namespace or "/"]
        rasa_session_request = handlers["session_request"]
        rasa_handle_message = handlers[self.user_message_evt]

        async def session_request(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                data = {}
            session_id = data.get("session_id")
            if session_id is not None and not valid_sender(session_id, max_chars):
                logger.warning("socket %s asked for an invalid session id; new one given", sid)
                data = {**data, "session_id": uuid.uuid4().hex}
            await rasa_session_request(sid, data)

        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                data = {}
            sender = data.get("session_id") if self.session_persistence else sid
            if not valid_sender(sender, max_chars):
                logger.warning("input refused: invalid session id (%s)", type(sender).__name__)
                await self.sio.emit(
                    self.bot_message_evt, {"text": guard_text(BAD_SENDER)}, room=sid
                )
                await self.sio.emit("error", {"error": "invalid session_id"}, room=sid)
                return
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            data = {**data, self.metadata_key: metadata if isinstance(metadata, dict) else {}}
            await rasa_handle_message(sid, data)

        handlers["session_request"] = session_request
        handlers[self.user_message_evt] = handle_message
        return blueprint


def bind_sessions(
    channel: SocketIOInput, on_message: Callable[[UserMessage], Awaitable[Any]]
) -> None:
    """Replace Rasa's session handlers: the server issues signed conversation ids and binds
    each socket to one conversation.

    Rasa 3.6 lets any socket join any conversation's room (``session_request`` with a known
    id receives every reply) and post into any conversation (``user_uttered`` names its own
    ``session_id``), so a sender id seen anywhere was a bearer credential. Here a socket joins
    a conversation only with its signed id, and its messages always go to that conversation.
    The socket's client address is put into each message's metadata (``client_ip``).
    """
    sio = channel.sio
    assert sio is not None
    namespace = channel.namespace or "/"
    bound: dict[str, str] = {}  # socket id -> conversation (sender) id, on this replica
    addresses: dict[str, str] = {}  # socket id -> client address
    rasa_connect = sio.handlers.get(namespace, {}).get("connect")

    async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> bool:
        allowed = await rasa_connect(sid, environ, auth) if rasa_connect else True
        if allowed:
            ip = session_ids.request_ip(environ.get("sanic.request"))
            addresses[sid] = ip or str(environ.get("REMOTE_ADDR") or "")
        return bool(allowed)

    async def disconnect(sid: str) -> None:
        bound.pop(sid, None)
        addresses.pop(sid, None)

    async def session_request(sid: str, data: Any) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        sender_id = session_ids.verify(requested)
        signed = requested if sender_id is not None else session_ids.issue()
        sender_id = sender_id or session_ids.verify(signed)
        assert sender_id is not None
        previous = bound.get(sid)
        if previous and previous != sender_id:
            await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
        bound[sid] = sender_id
        await _maybe_await(sio.enter_room(sid, sender_id, namespace=namespace))
        await sio.emit("session_confirm", signed, room=sid, namespace=namespace)

    async def handle_message(sid: str, data: Any) -> None:
        sender_id = bound.get(sid)
        if sender_id is None or not isinstance(data, dict):
            # Whatever session id the message names, an unbound socket addresses nothing.
            logger.warning("Socket.IO message before a session_request; refused")
            await sio.emit(channel.bot_message_evt, {"text": guard_text(BAD_SENDER)}, room=sid)
            await sio.emit("error", {"error": "invalid session_id"}, room=sid)
            return
        metadata = data.get(channel.metadata_key)
        if isinstance(metadata, str):  # Rasa's widget protocol allows JSON text
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        message = UserMessage(
            data.get("message", ""),
            ShopSocketIOOutput(sio, channel.bot_message_evt),
            sender_id,
            input_channel=channel.name(),
            metadata=session_ids.with_client_ip(metadata, addresses.get(sid)),
        )
        await on_message(message)

    sio.on("connect", connect, namespace=namespace)
    sio.on("disconnect", disconnect, namespace=namespace)
    sio.on("session_request", session_request, namespace=namespace)
    sio.on(channel.user_message_evt, handle_message, namespace=namespace)


async def _maybe_await(result: Any) -> None:
    # python-socketio 5.9 (pinned) has synchronous room calls; later versions return coroutines.
    if inspect.isawaitable(result):
        await result
