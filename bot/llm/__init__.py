"""LLM backends behind one small interface: template (default), transformers, openai."""

from bot.llm.base import ChatMessage, LLMBackend, LLMError, LLMTimeout
from bot.llm.factory import make_backend

__all__ = ["ChatMessage", "LLMBackend", "LLMError", "LLMTimeout", "make_backend"]
