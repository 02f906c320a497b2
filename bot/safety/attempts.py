"""Failed identification attempts, counted per target account and per client address.

Counting per sender id (the conversation) was useless: the client chooses it, so a new id per
guess gave unlimited guesses (45 name + ZIP guesses in 4 s found a customer's ZIP). Failures
are counted under keys that do not change with the conversation: the target (normalised
e-mail, normalised full name) and the client address the Rasa channel saw (``client_ip``
metadata, set by the channel). When one key reaches its limit every identification under it
is refused (the correct details too) until its window ends.

With Redis configured the counters live there (shared by all action-server replicas):
``SET key 0 EX window NX`` + ``INCR`` in one MULTI, so the window starts at the first failure
and concurrent failures never lose a count. Keys are HMAC-SHA-256 hashes under the shop's
secret key, so Redis holds no e-mail addresses or names and a key cannot be recomputed from a
guessed e-mail (a plain hash could); shops with their own secret never share counters. Without
Redis (or while it is down) a process-local table counts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bot.settings import Settings

log = logging.getLogger(__name__)

KEY_PREFIX = "shopbot:idfail:"


def _key(name: str, secret: bytes) -> str:
    return KEY_PREFIX + hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()[:40]


class AttemptLimiter:
    """``blocked`` before a check, ``fail`` after a failed one; limits are per key."""

    def __init__(
        self,
        window_s: int,
        redis_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        secret: bytes = b"shopbot-identification",
    ) -> None:
        self.window_s = max(1, int(window_s))
        self._secret = secret
        self._clock = clock
        self._local: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._redis = (
            redis.Redis.from_url(
                redis_url, socket_timeout=1.0, socket_connect_timeout=1.0, decode_responses=True
            )
            if redis_url
            else None
        )

    def blocked(self, limits: dict[str, int]) -> bool:
        """Whether any key (name -> allowed failures) has used up its failures."""
        counts = self._counts([_key(name, self._secret) for name in limits])
        return any(count >= limit for count, limit in zip(counts, limits.values(), strict=True))

    def fail(self, names: list[str]) -> None:
        """Count one failure under each key."""
        keys = [_key(name, self._secret) for name in names]
        if self._redis is not None:
            try:
                with self._redis.pipeline(transaction=True) as pipe:
                    for key in keys:
                        pipe.set(key, 0, ex=self.window_s, nx=True)
                        pipe.incr(key)
                    pipe.execute()
                return
            except redis.RedisError as exc:
                log.warning(
                    "identification counters: Redis unavailable (%s); counting locally", exc
                )
        now = self._clock()
        with self._lock:
            for key in keys:
                count, until = self._local.get(key, (0, now + self.window_s))
                if until <= now:
                    count, until = 0, now + self.window_s
                self._local[key] = (count + 1, until)
            if len(self._local) > 100_000:  # forget ended windows so memory stays bounded
                for key in [k for k, (_, u) in self._local.items() if u <= now]:
                    del self._local[key]

    def _counts(self, keys: list[str]) -> list[int]:
        local = self._local_counts(keys)
        if self._redis is None:
            return local
        try:
            shared = self._redis.mget(keys)
        except redis.RedisError as exc:
            log.warning("identification counters: Redis unavailable (%s); using local ones", exc)
            return local
        # While Redis was down failures were counted here: the larger count holds.
        return [max(int(v or 0), c) for v, c in zip(shared, local, strict=True)]

    def _local_counts(self, keys: list[str]) -> list[int]:
        now = self._clock()
        with self._lock:
            found = [self._local.get(key) for key in keys]
        return [entry[0] if entry is not None and entry[1] > now else 0 for entry in found]


@dataclass(frozen=True)
class IdentifyLimits:
    """The limiter and how many failures each kind of key allows (``SHOPBOT_IDENTIFY_*``)."""

    limiter: AttemptLimiter
    max_failures: int
    max_client_failures: int

    @property
    def lockout_s(self) -> int:
        return self.limiter.window_s

    def keys(self, target: str, client: str | None) -> dict[str, int]:
        """Failure keys of one identification: the target account and the client address."""
        limits = {target: self.max_failures}
        if client:
            limits["client:" + client] = self.max_client_failures
        return limits


def identify_limits(settings: Settings) -> IdentifyLimits:
    """The limits of these settings over one limiter (Redis when configured)."""
    # Every replica of one shop has the same SHOPBOT_SECRET_KEY, so they share counters.
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    limiter = AttemptLimiter(
        settings.identify_lockout_s,
        settings.redis_url,
        secret=b"shopbot-identification\0" + secret.encode(),
    )
    return IdentifyLimits(
        limiter, settings.identify_max_failures, settings.identify_max_client_failures
    )
