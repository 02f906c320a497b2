"""The openai backend against a real HTTP server (aiohttp) speaking chat completions:
plain and streamed (SSE) replies, a slow server (timeout), 500s (retries, then fallback)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.llm.base import ChatMessage, LLMError, LLMTimeout
from bot.llm.openai_backend import OpenAIBackend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "answers"))

MESSAGES = [ChatMessage("system", "rules"), ChatMessage("user", "is it waterproof?")]


class FakeOpenAI:
    """Behaviour per model name: "ok", "slow", "flaky" (500 twice then ok), "down" (500)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.flaky_failures = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        model = body["model"]
        text = f"echo: {body['messages'][-1]['content']}"
        if model == "slow":
            await asyncio.sleep(3)
        if model == "down" or (model == "flaky" and self.flaky_failures < 2):
            self.flaky_failures += 1
            return web.json_response({"error": "boom"}, status=500)
        if model == "bad-request":
            return web.json_response({"error": "no"}, status=400)
        if body.get("stream"):
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            for word in text.split(" "):
                chunk = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
                await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())
            await resp.write(b": keep-alive\n\ndata: [DONE]\n\n")
            await resp.write_eof()
            return resp
        return web.json_response(
            {
                "id": "c1",
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
            }
        )


@pytest.fixture
async def server():
    fake = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    yield fake
    await runner.cleanup()


def backend(server, model: str, **kwargs) -> OpenAIBackend:
    return OpenAIBackend(server.base_url, model, "sk-test", backoff_s=0.01, **kwargs)


async def test_generate(server) -> None:
    b = backend(server, "ok")
    assert await b.generate(MESSAGES, max_new_tokens=20, timeout=5) == "echo: is it waterproof?"
    sent = server.requests[0]
    assert sent["messages"] == [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "is it waterproof?"},
    ]
    assert sent["max_tokens"] == 20 and sent["stream"] is False
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    await b.aclose()


async def test_stream(server) -> None:
    b = backend(server, "ok")
    pieces = [p async for p in b.stream(MESSAGES, max_new_tokens=20, timeout=5)]
    assert len(pieces) == 4
    assert "".join(pieces).strip() == "echo: is it waterproof?"
    assert server.requests[0]["stream"] is True
    await b.aclose()


async def test_slow_server_hits_the_timeout(server) -> None:
    b = backend(server, "slow")
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(LLMTimeout):
        await b.generate(MESSAGES, max_new_tokens=20, timeout=0.5)
    assert loop.time() - started < 2
    with pytest.raises(LLMTimeout):
        async for _ in b.stream(MESSAGES, max_new_tokens=20, timeout=0.5):
            pass
    await b.aclose()


async def test_500s_are_retried_with_backoff(server) -> None:
    b = backend(server, "flaky", max_retries=2)
    assert await b.generate(MESSAGES, max_new_tokens=5, timeout=5) == "echo: is it waterproof?"
    assert len(server.requests) == 3  # two 500s, then success


async def test_persistent_500_gives_up_then_the_answer_falls_back(server, sqlite_db) -> None:
    from fixture_shop import build_fixture_shop

    from bot.answers.service import AnswerService

    b = backend(server, "down", max_retries=2)
    with pytest.raises(LLMError):
        await b.generate(MESSAGES, max_new_tokens=5, timeout=5)
    assert len(server.requests) == 3
    build_fixture_shop(sqlite_db)
    svc = AnswerService(sqlite_db, backend=b, search_mode="keyword")
    answer = await svc.answer("what is your return policy?", sender_id="o")
    assert answer.fell_back and "30 days" in answer.text and answer.backend == "openai"
    await b.aclose()


async def test_client_errors_are_not_retried(server) -> None:
    b = backend(server, "bad-request")
    with pytest.raises(LLMError):
        await b.generate(MESSAGES, max_new_tokens=5, timeout=5)
    assert len(server.requests) == 1
    await b.aclose()


async def test_connection_refused_is_an_llm_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = OpenAIBackend(f"http://127.0.0.1:{port}/v1", "m", backoff_s=0.01)
    with pytest.raises(LLMError):
        await b.generate(MESSAGES, max_new_tokens=5, timeout=3)
    await b.aclose()


async def test_answer_service_uses_a_grounded_server_reply(server, sqlite_db) -> None:
    from fixture_shop import build_fixture_shop

    from bot.answers.service import AnswerService

    build_fixture_shop(sqlite_db)
    b = backend(server, "ok")
    svc = AnswerService(sqlite_db, backend=b, search_mode="keyword")
    answer = await svc.answer("is the ridge trail runner waterproof?", sender_id="q")
    # The echo contains only the masked, fenced question: no ids or prices, so it passes.
    assert answer.text.startswith("echo: Facts:")
    assert not answer.fell_back
    await b.aclose()
