"""The round-robin proxy (bot/runtime/proxy.py) as a real process in front of two real servers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.runtime.stack import free_port
from bot.settings import PROJECT_ROOT

first_chunk_seen = threading.Event()


def echo_app(name: str) -> Starlette:
    async def echo(request: Request) -> Response:
        body = await request.body()
        return JSONResponse(
            {
                "upstream": name,
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "header": request.headers.get("x-shop-test"),
                "body": body.decode(),
            },
            headers={"x-upstream": name},
        )

    async def stream(_: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first;"
            # the second chunk only comes once the CLIENT has read the first: a buffering
            # proxy would wait for the whole body and the test would time out
            for _ in range(200):
                if first_chunk_seen.is_set():
                    break
                await asyncio.sleep(0.05)
            yield b"second" if first_chunk_seen.is_set() else b"never-streamed"

        return StreamingResponse(chunks(), media_type="text/plain")

    return Starlette(
        routes=[
            Route("/stream", stream),
            Route("/{path:path}", echo, methods=["GET", "POST", "PUT", "DELETE"]),
        ]
    )


def _serve(app: Starlette, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    return server


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not come up")


@pytest.fixture
def proxy_url() -> Iterator[tuple[str, list[str]]]:
    ports = [free_port(), free_port()]
    servers = [_serve(echo_app(f"u{i}"), port) for i, port in enumerate(ports)]
    upstreams = [f"http://127.0.0.1:{p}" for p in ports]
    for url in upstreams:
        _wait(url + "/ping")
    proxy_port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.proxy", "--port", str(proxy_port), *upstreams],
        cwd=PROJECT_ROOT,
    )
    proxy = f"http://127.0.0.1:{proxy_port}"
    try:
        _wait(proxy + "/__proxy__/stats")
        yield proxy, upstreams
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for server in servers:
            server.should_exit = True


def test_requests_alternate_and_arrive_whole(proxy_url: tuple[str, list[str]]) -> None:
    proxy, upstreams = proxy_url
    seen = []
    with httpx.Client(timeout=10) as client:
        for i in range(4):
            response = client.post(
                f"{proxy}/webhooks/rest/webhook?x=1&y={i}",
                content=f"hello {i}",
                headers={"x-shop-test": f"h{i}"},
            )
            assert response.status_code == 200
            data = response.json()
            assert data["method"] == "POST"
            assert data["path"] == "/webhooks/rest/webhook"
            assert data["query"] == f"x=1&y={i}"
            assert data["header"] == f"h{i}"
            assert data["body"] == f"hello {i}"
            assert response.headers["x-upstream"] == data["upstream"]
            seen.append(data["upstream"])
        assert client.delete(f"{proxy}/thing").json()["method"] == "DELETE"
        stats = client.get(f"{proxy}/__proxy__/stats").json()
    assert seen == ["u0", "u1", "u0", "u1"]
    assert stats["requests"] == {upstreams[0]: 3, upstreams[1]: 2}


def test_response_is_streamed(proxy_url: tuple[str, list[str]]) -> None:
    proxy, _ = proxy_url
    first_chunk_seen.clear()
    received = b""
    with httpx.stream("GET", f"{proxy}/stream", timeout=20) as response:
        for chunk in response.iter_raw():
            received += chunk
            if received.startswith(b"first;"):
                first_chunk_seen.set()
    assert received == b"first;second"


def test_dead_upstream_is_a_502_and_counted() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.proxy", "--port", str(port), dead], cwd=PROJECT_ROOT
    )
    try:
        _wait(f"http://127.0.0.1:{port}/__proxy__/stats")
        assert httpx.get(f"http://127.0.0.1:{port}/x", timeout=10).status_code == 502
        stats = httpx.get(f"http://127.0.0.1:{port}/__proxy__/stats").json()
        assert stats["errors"] == {dead: 1}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
