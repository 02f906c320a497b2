"""Per-shopper session memory: Redis (resilient) or in-process for the embedded default."""

from __future__ import annotations

from bot.memory.base import InProcessSessionMemory, MemoryUnavailable, SessionMemory
from bot.memory.state import SessionState
from bot.settings import Settings


def make_memory(settings: Settings) -> SessionMemory:
    """Redis behind the resilient wrapper when ``REDIS_URL`` is set, else in-process."""
    if settings.redis_url:
        from bot.memory.redis_memory import RedisSessionMemory
        from bot.memory.resilient import ResilientSessionMemory

        return ResilientSessionMemory(
            RedisSessionMemory(settings.redis_url, ttl_s=settings.memory_ttl_s)
        )
    return InProcessSessionMemory(ttl_s=settings.memory_ttl_s)


__all__ = [
    "InProcessSessionMemory",
    "MemoryUnavailable",
    "SessionMemory",
    "SessionState",
    "make_memory",
]
