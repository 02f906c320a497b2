"""A real backend class whose replies are scripted: the test input for grounding tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from bot.llm.base import ChatMessage


class ScriptedBackend:
    """A real backend class whose "model" replies with scripted texts, in order.

    A reply of ``LLMError`` raises it (a failing server). Every prompt is recorded so tests
    can read what would have left the machine.
    """

    name = "scripted"

    def __init__(self, replies: Sequence[str | type[Exception]]) -> None:
        self.replies = list(replies)
        self.prompts: list[list[ChatMessage]] = []

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> str:
        self.prompts.append(list(messages))
        reply = self.replies.pop(0) if self.replies else ""
        if isinstance(reply, type) and issubclass(reply, Exception):
            raise reply("scripted failure")
        return str(reply)

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> AsyncIterator[str]:
        yield await self.generate(messages, max_new_tokens=max_new_tokens, timeout=timeout)

    async def aclose(self) -> None:
        return None
