"""Keep answering when Redis is down: degrade to process memory, resume when it returns.

The first failure of an outage is logged once as a warning; while Redis is down the
shopper's turns go to an in-process store (so the conversation still has short-term
context) and Redis is retried at most every ``retry_interval_s``. The first success
afterwards logs the recovery, and from then on Redis is the store again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from bot.memory.base import InProcessSessionMemory, MemoryUnavailable, Mutation, SessionMemory
from bot.memory.state import SessionState

log = logging.getLogger(__name__)
T = TypeVar("T")


class ResilientSessionMemory:
    def __init__(
        self,
        primary: SessionMemory,
        *,
        fallback: InProcessSessionMemory | None = None,
        retry_interval_s: float = 2.0,
    ) -> None:
        self.primary = primary
        self.fallback = fallback or InProcessSessionMemory()
        self.retry_interval_s = retry_interval_s
        self._down_since: float | None = None
        self._next_try = 0.0
        self._lock = threading.Lock()
        self.outages = 0

    @property
    def degraded(self) -> bool:
        return self._down_since is not None

    def _run(self, op: Callable[[SessionMemory], T]) -> T:
        now = time.monotonic()
        if self._down_since is not None and now < self._next_try:
            return op(self.fallback)
        try:
            result = op(self.primary)
        except MemoryUnavailable as exc:
            with self._lock:
                if self._down_since is None:
                    self._down_since = now
                    self.outages += 1
                    log.warning(
                        "session memory store unreachable (%s); answering with degraded "
                        "in-process memory until it returns",
                        exc,
                    )
                self._next_try = now + self.retry_interval_s
            return op(self.fallback)
        if self._down_since is not None:
            with self._lock:
                if self._down_since is not None:
                    log.warning(
                        "session memory store is back after %.1fs; memory resumed",
                        now - self._down_since,
                    )
                    self._down_since = None
        return result

    def load(self, sender_id: str) -> SessionState:
        return self._run(lambda store: store.load(sender_id))

    def update(self, sender_id: str, mutate: Mutation) -> SessionState:
        return self._run(lambda store: store.update(sender_id, mutate))

    def erase(self, sender_id: str) -> bool:
        # Erase everywhere: a shopper's request to forget must not leave a copy behind.
        local = self.fallback.erase(sender_id)
        try:
            remote = self.primary.erase(sender_id)
        except MemoryUnavailable:
            log.warning("could not erase memory of %s in the store: it is unreachable", sender_id)
            raise
        return local or remote
