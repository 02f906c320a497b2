"""An atomic Redis lock store for running several Rasa replicas against one Redis.

Rasa 3.6's ``RedisLockStore`` changes a conversation's ticket lock by read-modify-write
(GET, change in Python, SET). Two replicas that receive messages of the same conversation at
the same moment can both read the same lock, both issue the same ticket number, and both
believe they are being served: the conversation is then processed twice in parallel and one
tracker write overwrites the other. This store keeps Rasa's ticket-lock format and algorithm
but performs every change inside a Redis optimistic transaction (WATCH/MULTI/EXEC, retried on
conflict), so ticket issue, expiry clean-up, finishing and deletion are atomic across
processes. The lock key also gets a TTL so a crashed replica cannot leave it behind forever.

Configure it in endpoints.yml::

    lock_store:
      type: rasa_addons.lock_store.AtomicRedisLockStore
      url: ${SHOPBOT_REDIS_HOST}
      ...

Audit (tests only, off by default): with ``SHOPBOT_LOCK_AUDIT=1`` every ``lock()`` appends one
JSON record to the Redis list ``<key_prefix>lock_audit`` (``<key_prefix>`` is the lock store's,
e.g. ``shopbot:lock:``): conversation, replica pid, and the moment the lock was acquired and
the moment processing ended (just before the lock is given back). Two records of one
conversation whose intervals overlap prove two message handlings ran at the same time.
``AuditedRedisLockStore`` is Rasa's stock store with the same audit, to show the failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis
import redis.asyncio
import redis.exceptions
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.settings import current

logger = logging.getLogger(__name__)

MAX_RETRIES = 200
AUDIT_LIST = "lock_audit"


class _LockAudit(RedisLockStore):
    """Records [acquired, released] per conversation and replica when the audit is on."""

    _audit: bool | None = None

    def __init__(self, *args: Any, endpoint_config: EndpointConfig | None = None, **kwargs: Any):
        # Rasa builds a custom lock store (``type: module.Class``) as
        # ``cls(endpoint_config=...)``; the stock ``redis`` type as
        # ``RedisLockStore(host=url, **kwargs)``. Accept both.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(*args, **kwargs)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        if self._audit is None:
            self._audit = current().lock_audit
        async with self._locked(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
            if not self._audit:
                yield held
                return
            acquired = time.time()
            try:
                yield held
            finally:
                record = {
                    "conversation": conversation_id,
                    "pid": os.getpid(),
                    "acquired": acquired,
                    "released": time.time(),
                }
                try:
                    self.red.rpush(self.key_prefix + AUDIT_LIST, json.dumps(record))
                except Exception:  # the audit must never break message handling
                    logger.exception("lock audit record lost")

    def _locked(
        self, conversation_id: str, lock_lifetime: float, wait_time_in_seconds: float
    ) -> contextlib.AbstractAsyncContextManager[TicketLock]:
        """Rasa's ticket-lock protocol (``LockStore.lock``)."""
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)


class AuditedRedisLockStore(_LockAudit):
    """Rasa's stock (non-atomic) ``RedisLockStore`` plus the audit: the failure to compare."""


class AtomicRedisLockStore(_LockAudit):
    """``RedisLockStore`` whose lock updates are atomic across Rasa processes."""

    def __init__(self, *args: Any, endpoint_config: EndpointConfig | None = None, **kwargs: Any):
        super().__init__(*args, endpoint_config=endpoint_config, **kwargs)
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        given = inspect.signature(RedisLockStore.__init__).bind(self, *args, **kwargs)
        given.apply_defaults()
        a = given.arguments
        # The same server and options as Rasa's synchronous ``self.red``, for asyncio: the
        # lock round trips of a message (issue, read, clean up) then leave the event loop
        # free for other conversations instead of blocking it.
        self._async_options: dict[str, Any] = {
            "host": a["host"], "port": int(a["port"]), "db": int(a["db"]),
            "username": a["username"], "password": a["password"], "ssl": a["use_ssl"],
            "ssl_certfile": a["ssl_certfile"], "ssl_keyfile": a["ssl_keyfile"],
            "ssl_ca_certs": a["ssl_ca_certs"], "socket_timeout": a["socket_timeout"],
            "retry_on_error": [redis.exceptions.ConnectionError],  # see _atransact
        }  # fmt: skip
        self._async_client: tuple[asyncio.AbstractEventLoop, Any] | None = None

    def _ared(self) -> Any:
        """The asyncio client of the running event loop (a client cannot change loops)."""
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_client[0] is not loop:
            self._async_client = (loop, redis.asyncio.StrictRedis(**self._async_options))
        return self._async_client[1]

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    @contextlib.asynccontextmanager
    async def _locked(
        self, conversation_id: str, lock_lifetime: float, wait_time_in_seconds: float
    ) -> AsyncIterator[TicketLock]:
        """``LockStore.lock`` step for step, each step one atomic asyncio transaction."""
        ticket = await self._aissue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._aacquire(conversation_id, ticket, wait_time_in_seconds)
        finally:
            await self._acleanup(conversation_id, ticket)

    async def _atransact(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, object]],
        ttl_s: float = LOCK_LIFETIME,
    ) -> object:
        """``_transact`` on the asyncio client."""
        key = self._key(conversation_id)
        reconnected = False
        for attempt in range(MAX_RETRIES):
            async with self._ared().pipeline() as pipe:
                try:
                    try:
                        await pipe.watch(key)
                    except redis.ConnectionError:
                        # A pooled connection closed by a Redis restart fails on its first
                        # command; nothing was changed yet, so start over once on a new one.
                        if reconnected:
                            raise
                        reconnected = True
                        continue
                    raw = await pipe.get(key)
                    current = TicketLock.from_dict(_loads(raw)) if raw else None
                    new_lock, result = change(current)
                    _stage(pipe, key, new_lock, ttl_s)
                    await pipe.execute()
                    return result
                except redis.WatchError:
                    await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise LockError(f"Could not update the lock of conversation '{conversation_id}'.")

    async def _aissue_ticket(self, conversation_id: str, lock_lifetime: float) -> int:
        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return int(await self._atransact(conversation_id, change, lock_lifetime))  # type: ignore[call-overload]
        except LockError:
            raise
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    async def _aacquire(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            raw = await self._ared().get(self._key(conversation_id))
            lock = TicketLock.from_dict(_loads(raw)) if raw else None
            if not lock:  # expired meanwhile
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

            def change(current: TicketLock | None) -> tuple[TicketLock | None, None]:
                if current is not None:
                    current.remove_expired_tickets()
                return current, None

            await self._atransact(conversation_id, change)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    async def _acleanup(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        await self._atransact(conversation_id, change)

    def _transact(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, object]],
        ttl_s: float = LOCK_LIFETIME,
    ) -> object:
        """Apply ``change`` to the stored lock atomically and return its result.

        ``change`` receives the current lock (or None) and returns the lock to store (None
        deletes the key) plus a value for the caller.
        """
        key = self._key(conversation_id)
        for attempt in range(MAX_RETRIES):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(_loads(raw)) if raw else None
                    new_lock, result = change(current)
                    _stage(pipe, key, new_lock, ttl_s)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    # Another replica changed the lock between WATCH and EXEC: try again.
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise LockError(f"Could not update the lock of conversation '{conversation_id}'.")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            ticket = lock.issue_ticket(lock_lifetime)
            return lock, ticket

        try:
            return int(self._transact(conversation_id, change, lock_lifetime))  # type: ignore[call-overload]
        except LockError:
            raise
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._transact(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish the ticket and drop the lock if nobody waits, in one atomic step."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._transact(conversation_id, change)

    def save_lock(self, lock: TicketLock) -> None:
        self.red.set(
            self._key(lock.conversation_id), lock.dumps(), px=int((LOCK_LIFETIME + 5) * 1000)
        )


def _stage(pipe: Any, key: str, new_lock: TicketLock | None, ttl_s: float) -> None:
    """Queue the write of a transaction (same calls on the sync and asyncio pipelines)."""
    pipe.multi()
    if new_lock is None or not new_lock.tickets:
        pipe.delete(key)
    else:
        # Keep the key a little longer than its longest ticket can live.
        pipe.set(key, new_lock.dumps(), px=int((ttl_s + 5) * 1000))


def _loads(raw: bytes | str) -> dict:
    import json

    return json.loads(raw)
