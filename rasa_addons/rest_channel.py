"""Rasa's REST channel with the shop's input limits (size, rate per sender, clean text).

Rasa's own ``RestInput`` takes whatever JSON arrives: a non-string ``sender`` or ``message``,
a list as ``metadata``, or a megabyte of text all go straight to NLU and the event log. This
subclass keeps Rasa's routes and the ``rest`` channel name, coerces the fields to the types
Rasa expects and passes every message through :class:`rasa_addons.input_limits.InputGuard`.
Senders follow rasa_addons/session_ids.py (a widget conversation needs its signed id) and the
metadata carries the channel's ``client_ip``.

credentials.yml::

    rasa_addons.rest_channel.ShopRestInput:
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from rasa_addons import session_ids
from rasa_addons.input_limits import InputGuard


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
        # "" (not None) for a missing sender: Rasa would file None under the shared
        # "default" conversation; the guard refuses "".
        # A signed id addresses its conversation; a bare widget id (no signature) none.
        return session_ids.rest_sender(self._body(req).get("sender"))

    def _extract_message(self, req: Request) -> str | None:
        text = self._body(req).get("message")
        return text if isinstance(text, str) else ""

    def _extract_input_channel(self, req: Request) -> str:
        channel = self._body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = self._body(request).get("metadata")
        # client_ip is the channel's, never the client's (identification limits per client)
        return session_ids.with_client_ip(metadata, session_ids.request_ip(request))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(self.guard.wrap(on_new_message))
