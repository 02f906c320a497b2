"""Fault-test fixtures: a private stack whose Redis, database link and LLM server we control.

The stack uses its own ``redis-server`` (append-only file, so a restart keeps the trackers,
as a production Redis would), reaches PostgreSQL through a TCP proxy the test can cut, and
talks to a fake OpenAI-compatible LLM server whose behaviour the test switches between
normal, slow and failing. Nothing here touches the machine's shared Redis or PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import text

from bench.infra import RedisServer
from bot.db.session import Database
from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig, free_port
from bot.settings import PROJECT_ROOT

LLM_TIMEOUT_S = 3.0
TRACEBACK_MARKERS = ("Traceback", 'File "', "Exception", "Error:", "psycopg", "redis.exceptions")


class TcpProxy:
    """A TCP proxy on a free loopback port; ``cut()`` drops every link and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._open = threading.Event()
        self._open.set()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)  # idle database connections must stay open
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._stop.set()
        self.cut()
        self._server.close()


@dataclass
class FakeLLM:
    """An OpenAI-compatible ``/v1/chat/completions`` server: mode is ok, slow or fail."""

    mode: str = "ok"
    delay_s: float = 30.0
    port: int = field(default_factory=free_port)
    calls: int = 0

    def start(self) -> FakeLLM:
        import uvicorn
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse

        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(body: dict[str, Any]) -> Any:
            self.calls += 1
            if self.mode == "slow":
                await asyncio.sleep(self.delay_s)
            if self.mode == "fail":
                return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
            return {
                "id": "fake",
                "object": "chat.completion",
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {
                            "role": "assistant",
                            "content": "Here is what I found in our catalog.",
                        },
                    }
                ],
            }

        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@dataclass
class FaultStack:
    stack: Stack
    redis: RedisServer
    proxy: TcpProxy
    llm: FakeLLM
    database_url: str  # direct (not through the proxy), for the test's own checks

    @property
    def rasa_url(self) -> str:
        return self.stack.rasa_url


def _through_proxy(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.replace(
        f"{parts.hostname}:{parts.port or 5432}", f"127.0.0.1:{proxy.port}"
    )
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture(scope="package")
def fault_stack(
    stack_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultStack]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    workdir = tmp_path_factory.mktemp("fault-redis")
    redis_server = RedisServer(workdir=workdir, persistent=True).start()
    parts = urlsplit(stack_database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    llm = FakeLLM().start()
    config = StackConfig(
        database_url=_through_proxy(stack_database_url, proxy),
        redis_url=redis_server.url,
        # kept after the run (var/ is git-ignored) so a failure can be diagnosed
        log_dir=PROJECT_ROOT / "var" / "faults" / time.strftime("%Y%m%d-%H%M%S"),
        extra_env={
            "SHOPBOT_LLM_BACKEND": "openai",
            "SHOPBOT_LLM_BASE_URL": llm.base_url,
            "SHOPBOT_LLM_MODEL": "fake-model",
            "SHOPBOT_LLM_API_KEY": "not-a-real-key",
            "SHOPBOT_LLM_TIMEOUT_S": str(LLM_TIMEOUT_S),
            "SHOPBOT_RATE_LIMIT": "1000",
        },
    )
    stack = Stack(config)
    try:
        stack.start()
        yield FaultStack(stack, redis_server, proxy, llm, stack_database_url)
    finally:
        stack.stop()
        llm.stop()
        proxy.close()
        redis_server.stop()


def say(rasa_url: str, sender: str, message: str, timeout: float = 60) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=timeout,
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def assert_polite(replies: list[dict[str, Any]]) -> None:
    """At least one reply, and no stack trace or exception name in what the shopper sees."""
    assert replies, "the shopper got no answer at all"
    body = json.dumps(replies)
    for marker in TRACEBACK_MARKERS:
        assert marker not in body, f"{marker!r} reached the shopper: {body[:400]}"


def new_sender(tag: str) -> str:
    return f"fault-{tag}-{uuid.uuid4().hex[:8]}"


def events_of(database_url: str, sender: str) -> list[dict[str, Any]]:
    db = Database(database_url)
    try:
        with db.session() as s:
            rows = s.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
    finally:
        db.dispose()
    return [json.loads(r[0]) for r in rows]


def tail_logs(stack: Stack) -> str:
    return "\n".join(f"--- {n}\n{stack.tail(n, 30)}" for n in ("rasa", "actions"))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
