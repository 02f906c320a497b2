"""Any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp, TGI, hosted APIs).

Retries connection errors and 5xx answers with exponential backoff, within one overall
deadline (``timeout``); 4xx answers are not retried (the request itself is wrong). Streaming
reads server-sent events; a stream is only retried if it failed before its first token.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from bot.llm.base import ChatMessage, LLMError, LLMTimeout

log = logging.getLogger(__name__)

_RETRYABLE = (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)


class _ServerError(LLMError):
    """A 5xx answer: worth another try."""


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        max_retries: int = 2,
        backoff_s: float = 0.25,
        temperature: float = 0.2,
    ) -> None:
        if not base_url:
            raise LLMError("SHOPBOT_LLM_BASE_URL is required for the openai backend")
        self.base_url = base_url.rstrip("/")
        self.model = model or "default"
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.temperature = temperature
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.AsyncClient(base_url=self.base_url, headers=headers)

    def _payload(
        self, messages: Sequence[ChatMessage], max_new_tokens: int, stream: bool
    ) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": [m.as_dict() for m in messages],
            "max_tokens": max_new_tokens,
            "temperature": self.temperature,
            "stream": stream,
        }

    async def _with_retries(self, attempt_fn: Any, timeout: float) -> Any:
        """Run ``attempt_fn`` until it succeeds, a non-retryable error, or the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last: Exception | None = None
        for attempt in range(self.max_retries + 1):
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                return await asyncio.wait_for(attempt_fn(remaining), remaining)
            except TimeoutError as exc:
                raise LLMTimeout(f"LLM server did not answer within {timeout:.1f}s") from exc
            except httpx.TimeoutException as exc:
                raise LLMTimeout(f"LLM server did not answer within {timeout:.1f}s") from exc
            except (_ServerError, *_RETRYABLE) as exc:
                last = exc
                log.warning("LLM server attempt %d failed: %s", attempt + 1, exc)
                if attempt < self.max_retries:
                    pause = min(self.backoff_s * (2**attempt), max(0.0, deadline - loop.time()))
                    await asyncio.sleep(pause)
        raise LLMError(f"LLM server failed after {self.max_retries + 1} attempts: {last}")

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> str:
        payload = self._payload(messages, max_new_tokens, stream=False)

        async def attempt(remaining: float) -> str:
            resp = await self._client.post("/chat/completions", json=payload, timeout=remaining)
            _raise_for_status(resp)
            try:
                return str(resp.json()["choices"][0]["message"]["content"] or "").strip()
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise LLMError(f"unexpected chat-completions response: {exc}") from exc

        return await self._with_retries(attempt, timeout)

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> AsyncIterator[str]:
        payload = self._payload(messages, max_new_tokens, stream=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        started = False
        for attempt in range(self.max_retries + 1):
            try:
                async with self._client.stream(
                    "POST",
                    "/chat/completions",
                    json=payload,
                    timeout=max(0.01, deadline - loop.time()),
                ) as resp:
                    if resp.status_code >= 400:
                        await resp.aread()
                    _raise_for_status(resp)
                    async for line in resp.aiter_lines():
                        if loop.time() > deadline:
                            raise LLMTimeout(f"LLM stream exceeded {timeout:.1f}s")
                        piece = _parse_sse_line(line)
                        if piece is None:
                            return
                        if piece:
                            started = True
                            yield piece
                    return
            except httpx.TimeoutException as exc:
                raise LLMTimeout(f"LLM stream exceeded {timeout:.1f}s") from exc
            except (_ServerError, *_RETRYABLE) as exc:
                if started or attempt >= self.max_retries or loop.time() >= deadline:
                    raise LLMError(f"LLM stream failed: {exc}") from exc
                log.warning("LLM stream attempt %d failed: %s", attempt + 1, exc)
                await asyncio.sleep(self.backoff_s * (2**attempt))

    async def aclose(self) -> None:
        await self._client.aclose()


def _raise_for_status(resp: httpx.Response) -> None:
    if resp.status_code >= 500:
        raise _ServerError(f"server answered {resp.status_code}")
    if resp.status_code >= 400:
        raise LLMError(f"server refused the request ({resp.status_code}): {resp.text[:200]}")


def _parse_sse_line(line: str) -> str | None:
    """The text delta of one SSE line; ``""`` for keep-alives/other fields, None at [DONE]."""
    line = line.strip()
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event = json.loads(data)
        delta = event["choices"][0].get("delta") or {}
        return str(delta.get("content") or "")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
