"""The default backend: no model, a deterministic answer composed from the numbered facts.

It reads the structured :class:`~bot.answers.facts.FactSheet` attached to the last user
message (``ChatMessage.context``) and hands it to the composer. It is also what every other
backend falls back to, so its answers must be good on their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from bot.llm.base import ChatMessage, LLMError


class TemplateBackend:
    name = "template"

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> str:
        from bot.answers.compose import compose_answer

        context = next((m.context for m in reversed(messages) if m.context is not None), None)
        if context is None:
            raise LLMError("the template backend needs the facts attached to the prompt")
        return compose_answer(context)

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> AsyncIterator[str]:
        text = await self.generate(messages, max_new_tokens=max_new_tokens, timeout=timeout)
        for piece in text.split(" "):
            yield piece + " "

    async def aclose(self) -> None:
        return None
