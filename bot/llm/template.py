"""The default backend: no model, a deterministic answer composed from the numbered facts.

It reads the structured facts attached to the last user message (``ChatMessage.context``, a
:class:`~bot.answers.facts.FactSheet`) and asks them to compose themselves: the backend knows
only the :class:`Composable` shape, so ``bot.llm`` never imports ``bot.answers`` (which uses
the backends). It is also what every other backend falls back to, so its answers must be good
on their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from bot.llm.base import ChatMessage, LLMError


@runtime_checkable
class Composable(Protocol):
    """Facts that can write the deterministic answer from themselves."""

    def compose(self) -> str: ...


class TemplateBackend:
    name = "template"

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> str:
        context = next((m.context for m in reversed(messages) if m.context is not None), None)
        if not isinstance(context, Composable):
            raise LLMError("the template backend needs the facts attached to the prompt")
        return context.compose()

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> AsyncIterator[str]:
        text = await self.generate(messages, max_new_tokens=max_new_tokens, timeout=timeout)
        for piece in text.split(" "):
            yield piece + " "

    async def aclose(self) -> None:
        return None
