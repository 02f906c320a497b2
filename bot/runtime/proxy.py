"""A small round-robin HTTP reverse proxy for running several replicas on one machine.

Rasa takes ONE ``action_endpoint`` URL and a test or benchmark wants ONE Rasa URL, so the stack
launcher puts this proxy in front of several action servers or several Rasa replicas. It is a
real proxy, not a redirect: every request (method, path, query, headers, body) goes to the
next upstream in turn, the response streams back unchanged, and requests are counted per
upstream so a test can check that the load was really spread. In production a real reverse
proxy (nginx in ``deploy/``) plays this role; this one only serves local tests and benchmarks.

    python -m bot.runtime.proxy --port 8080 http://127.0.0.1:5005 http://127.0.0.1:5006

``GET /__proxy__/stats`` answers ``{"upstreams": [...], "requests": {url: n}, "errors": {...}}``
(handled by the proxy, never forwarded). WebSocket upgrades are not proxied.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

log = logging.getLogger(__name__)

STATS_PATH = "/__proxy__/stats"
# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are never forwarded.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


class RoundRobinProxy:
    """Forwards each request to the next upstream; counts requests and failures per upstream."""

    def __init__(self, upstreams: Sequence[str], timeout_s: float = 120.0) -> None:
        if not upstreams:
            raise ValueError("the proxy needs at least one upstream")
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self._next = itertools.cycle(self.upstreams)
        self.requests: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
        self.client = httpx.AsyncClient(timeout=timeout_s, limits=limits)

    def stats(self) -> dict[str, object]:
        return {
            "upstreams": self.upstreams,
            "requests": {u: self.requests[u] for u in self.upstreams},
            "errors": {u: self.errors[u] for u in self.upstreams},
        }

    async def forward(self, request: Request) -> Response:
        upstream = next(self._next)
        self.requests[upstream] += 1
        url = upstream + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        headers = [
            (k, v)
            for k, v in request.headers.items()
            if k.lower() not in HOP_BY_HOP and k.lower() != "host"
        ]
        client_host = request.client.host if request.client else ""
        headers.append(("x-forwarded-for", client_host))
        outgoing = self.client.build_request(
            request.method, url, headers=headers, content=request.stream()
        )
        try:
            upstream_response = await self.client.send(outgoing, stream=True)
        except httpx.HTTPError as exc:
            self.errors[upstream] += 1
            log.warning("upstream %s failed: %s", upstream, type(exc).__name__)
            return JSONResponse({"error": "upstream unavailable"}, status_code=502)
        response_headers = {
            k: v
            for k, v in upstream_response.headers.items()
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
        }
        return StreamingResponse(
            _body(upstream_response),
            status_code=upstream_response.status_code,
            headers=response_headers,
            background=BackgroundTask(upstream_response.aclose),
        )

    async def close(self) -> None:
        await self.client.aclose()


async def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    # raw bytes: the upstream's content-encoding header is forwarded, so no decoding here
    async for chunk in response.aiter_raw():
        yield chunk


def _closing(proxy: RoundRobinProxy):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await proxy.close()

    return lifespan


def create_app(upstreams: Sequence[str]) -> Starlette:
    proxy = RoundRobinProxy(upstreams)

    async def stats(_: Request) -> Response:
        return JSONResponse(proxy.stats())

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app = Starlette(
        routes=[
            Route(STATS_PATH, stats, methods=["GET"]),
            Route("/{path:path}", proxy.forward, methods=methods),
        ],
        lifespan=_closing(proxy),
    )
    app.state.proxy = proxy
    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Round-robin HTTP proxy for local replicas.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("upstreams", nargs="+", help="base URLs, e.g. http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    import uvicorn

    config = uvicorn.Config(
        create_app(args.upstreams),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
    )
    asyncio.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
