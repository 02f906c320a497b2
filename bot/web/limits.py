"""Request limits for the web app: body size for every request, write rate per client.

Pure ASGI middleware (no body buffering): a request whose ``Content-Length`` is over the
limit is answered 413 before the body is read; a chunked body is counted while the app reads
it and cut off with 413 as soon as it passes the limit. Writes (POST/PUT/PATCH/DELETE) are
limited per client address with a sliding window and answered 429 with ``Retry-After``.

Settings (``create_app`` passes them): ``SHOPBOT_WEB_MAX_BODY_BYTES`` (default 1 MiB),
``SHOPBOT_WEB_WRITE_LIMIT`` writes per ``SHOPBOT_WEB_WRITE_WINDOW_S`` seconds (default 300 per
60 s). The counters live in this process; behind several replicas each replica counts alone.

The client address is the direct peer unless that peer is a trusted reverse proxy
(``SHOPBOT_TRUSTED_PROXIES``; bot/safety/client_address.py, shared with the console's login
limits).
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from bot.safety.client_address import parse_networks, scope_client

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def _json(send: Send, status: int, error: str, message: str, **headers: str) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    raw_headers += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """ASGI middleware enforcing the body size and per-client write rate."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int | None = None,
        write_limit: int | None = None,
        window_s: float | None = None,
        trusted_proxies: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        self.networks = parse_networks(trusted_proxies or ())
        self.max_body = max_body_bytes or 1 << 20
        self.write_limit = write_limit or 300
        self.window_s = window_s or 60.0
        self._writes: dict[str, deque[float]] = {}

    def _rate_limited(self, client: str) -> bool:
        now = time.monotonic()
        stamps = self._writes.setdefault(client, deque())
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        if len(stamps) >= self.write_limit:
            return True
        stamps.append(now)
        if len(self._writes) > 10_000:
            for key in [k for k, v in self._writes.items() if not v]:
                del self._writes[key]
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope_client(scope, self.networks)
        if scope["method"] in WRITE_METHODS and self._rate_limited(client):
            log.warning("rate limit: %s %s from %s", scope["method"], scope["path"], client)
            await _json(
                send, 429, "rate_limited", "Too many requests; please wait a moment.",
                **{"retry-after": str(int(self.window_s))},
            )  # fmt: skip
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_body
            except ValueError:
                await _json(send, 400, "invalid_request", "Invalid Content-Length.")
                return
            if too_big:
                log.warning("body too large (%s bytes) on %s", declared.decode(), scope["path"])
                await _json(send, 413, "too_large", "The request body is too large.")
                return
        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body and not refused:
                    refused = True
                    log.warning("streamed body over %d bytes on %s", self.max_body, scope["path"])
                    if not started:
                        await _json(send, 413, "too_large", "The request body is too large.")
                    # the app sees a disconnect and stops reading; its own answer is dropped
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:  # a real error: the app's own handlers deal with it
                raise
            # the app choked on the cut-off body; the shopper already has the 413
