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
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

logger = logging.getLogger(__name__)

MAX_RETRIES = 200


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose lock updates are atomic across Rasa processes."""

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

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
        import redis

        key = self._key(conversation_id)
        for attempt in range(MAX_RETRIES):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(_loads(raw)) if raw else None
                    new_lock, result = change(current)
                    pipe.multi()
                    if new_lock is None or not new_lock.tickets:
                        pipe.delete(key)
                    else:
                        # Keep the key a little longer than its longest ticket can live.
                        pipe.set(key, new_lock.dumps(), px=int((ttl_s + 5) * 1000))
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


def _loads(raw: bytes | str) -> dict:
    import json

    return json.loads(raw)
