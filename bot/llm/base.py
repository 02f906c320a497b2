"""The one small interface every LLM backend implements, and the errors it may raise.

A backend only turns chat messages into text. It has no tools and no access to orders, so
whatever a prompt says, it cannot change the shop's state; the caller checks the text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One chat turn. ``context`` carries structured facts for the template backend only;
    remote/local models see ``role`` and ``content`` and nothing else."""

    role: Role
    content: str
    context: Any = None

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


class LLMError(Exception):
    """Generation failed (server error, bad response, model missing). Callers fall back."""


class LLMTimeout(LLMError):
    """Generation took longer than the allowed time."""


@runtime_checkable
class LLMBackend(Protocol):
    """Generate or stream a reply. Both honour ``timeout`` (seconds) and task cancellation."""

    name: str

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int, timeout: float
    ) -> str: ...

    def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int, timeout: float
    ) -> AsyncIterator[str]: ...

    async def aclose(self) -> None: ...
