"""Rasa's REST channel with the shop's input limits (size, rate per sender, clean text).

Rasa's own ``RestInput`` takes whatever JSON arrives: a non-string ``sender`` or ``message``,
a list as ``metadata``, or a megabyte of text all go straight to NLU and the event log. This
subclass keeps Rasa's routes and the ``rest`` channel name, coerces the fields to the types
Rasa expects and passes every message through :class:`rasa_addons.input_limits.InputGuard`.
A missing or unusable sender id (wrong type, too long, characters outside the id charset such
as a NUL byte or a lone surrogate) is answered with HTTP 400 before anything else happens.
Senders follow rasa_addons/session_ids.py (a widget conversation needs its signed id) and the
metadata carries the channel's ``client_ip``.

credentials.yml::

    rasa_addons.rest_channel.ShopRestInput:
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from rasa_addons import session_ids
from rasa_addons.input_limits import InputGuard, valid_sender

CHANNEL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class ShopRestInput(RestInput):
    """``rest`` input with typed fields and :class:`InputGuard` limits."""

    def __init__(self) -> None:
        super().__init__()
        self.guard = InputGuard()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @staticmethod
    def _body(req: Request) -> dict[str, Any]:
        body = req.json
        return body if isinstance(body, dict) else {}

    async def _extract_sender(self, req: Request) -> str | None:
        # Rasa would file a missing sender under the shared "default" conversation.
        sender = self._body(req).get("sender")
        if not valid_sender(sender, self.guard.max_sender_chars):
            raise InvalidUsage(
                f"'sender' must be 1-{self.guard.max_sender_chars} characters "
                "from A-Z a-z 0-9 _ - . : @ + ="
            )
        # A signed id addresses its conversation; a bare widget id (no signature) none: ""
        # then, which the guard refuses.
        return session_ids.rest_sender(sender)

    def _extract_message(self, req: Request) -> str | None:
        text = self._body(req).get("message")
        return text if isinstance(text, str) else ""

    def _extract_input_channel(self, req: Request) -> str:
        channel = self._body(req).get("input_channel")  # (stored with every user event)
        return (
            channel if isinstance(channel, str) and CHANNEL_NAME.fullmatch(channel) else self.name()
        )

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = self._body(request).get("metadata")
        # client_ip is the channel's, never the client's (identification limits per client)
        return session_ids.with_client_ip(metadata, session_ids.request_ip(request))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(self.guard.wrap(on_new_message))
