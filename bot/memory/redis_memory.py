"""Session memory in Redis: one JSON value per shopper, with a TTL, updated atomically.

Updates use optimistic locking (WATCH key / MULTI / EXEC via ``client.transaction``), so
two turns of the same shopper handled at once never overwrite each other's changes.
"""

from __future__ import annotations

import json
import logging

import redis

from bot.memory.base import MemoryUnavailable, Mutation
from bot.memory.state import SessionState

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "shopbot:memory:"


class RedisSessionMemory:
    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl_s: int = 7 * 24 * 3600,
        socket_timeout_s: float = 1.0,
    ) -> None:
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=socket_timeout_s,
            decode_responses=True,
        )

    def key(self, sender_id: str) -> str:
        return f"{self.prefix}{sender_id}"

    def load(self, sender_id: str) -> SessionState:
        try:
            raw = self.client.get(self.key(sender_id))
        except redis.RedisError as exc:
            raise MemoryUnavailable(str(exc)) from exc
        return SessionState.from_dict(sender_id, _decode(raw))

    def update(self, sender_id: str, mutate: Mutation) -> SessionState:
        key = self.key(sender_id)
        result: list[SessionState] = []

        def apply(pipe: redis.client.Pipeline) -> None:
            state = SessionState.from_dict(sender_id, _decode(pipe.get(key)))
            mutate(state)
            pipe.multi()
            pipe.set(key, json.dumps(state.to_dict()), ex=self.ttl_s)
            result[:] = [state]

        try:
            self.client.transaction(apply, key)
        except redis.RedisError as exc:
            raise MemoryUnavailable(str(exc)) from exc
        return result[0]

    def erase(self, sender_id: str) -> bool:
        try:
            return bool(self.client.delete(self.key(sender_id)))
        except redis.RedisError as exc:
            raise MemoryUnavailable(str(exc)) from exc

    def ttl(self, sender_id: str) -> int:
        return int(self.client.ttl(self.key(sender_id)))

    def close(self) -> None:
        self.client.close()


def _decode(raw: str | bytes | None) -> dict | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("discarding unreadable session memory value")
        return None
    return data if isinstance(data, dict) else None
