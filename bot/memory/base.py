"""The session-memory interface and the in-process implementation (embedded default)."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Protocol

from bot.memory.state import SessionState

Mutation = Callable[[SessionState], None]


class MemoryUnavailable(Exception):
    """The store cannot be reached; callers degrade instead of failing the answer."""


class SessionMemory(Protocol):
    def load(self, sender_id: str) -> SessionState: ...

    def update(self, sender_id: str, mutate: Mutation) -> SessionState:
        """Apply ``mutate`` atomically (no lost updates from concurrent turns)."""
        ...

    def erase(self, sender_id: str) -> bool: ...


class InProcessSessionMemory:
    """A dict behind a lock, with the same TTL semantics as Redis. One process only."""

    def __init__(self, ttl_s: int = 7 * 24 * 3600) -> None:
        self.ttl_s = ttl_s
        self._data: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def _get(self, sender_id: str) -> dict | None:
        item = self._data.get(sender_id)
        if item is None:
            return None
        expires, data = item
        if expires < time.monotonic():
            del self._data[sender_id]
            return None
        return data

    def load(self, sender_id: str) -> SessionState:
        with self._lock:
            return SessionState.from_dict(sender_id, copy.deepcopy(self._get(sender_id)))

    def update(self, sender_id: str, mutate: Mutation) -> SessionState:
        with self._lock:
            state = SessionState.from_dict(sender_id, copy.deepcopy(self._get(sender_id)))
            mutate(state)
            self._data[sender_id] = (time.monotonic() + self.ttl_s, state.to_dict())
            return state

    def erase(self, sender_id: str) -> bool:
        with self._lock:
            return self._data.pop(sender_id, None) is not None
