"""Race Rasa lock stores the way replicas do; runs inside .venv-rasa, prints JSON.

Usage: python lockstore_race.py CLASS REDIS_PORT KEY_PREFIX LOCK_LIFETIME_S [tickets-only]

Several threads, each with its own lock store instance (a replica), push messages of ONE
conversation through ``LockStore.lock()`` at the same time and record when they were inside
the critical section. Reports duplicate tickets and overlapping critical sections.
"""

from __future__ import annotations

import asyncio
import collections
import importlib
import json
import sys
import threading
import time
import uuid


def load(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def main() -> None:
    cls, port, prefix = load(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    lifetime = float(sys.argv[4])
    tickets_only = len(sys.argv) > 5 and sys.argv[5] == "tickets-only"
    conversation = "race-" + uuid.uuid4().hex
    replicas, messages = 4, 12
    intervals: list[tuple[float, float, int]] = []
    tickets: list[int] = []
    errors: list[str] = []
    guard = threading.Lock()

    def replica(index: int) -> None:
        store = cls(host="127.0.0.1", port=port, db=0, key_prefix=prefix)

        async def handle() -> None:
            try:
                async with store.lock(
                    conversation, lock_lifetime=lifetime, wait_time_in_seconds=0.01
                ):
                    start = time.monotonic()
                    await asyncio.sleep(0.01)  # the message being processed
                    with guard:
                        intervals.append((start, time.monotonic(), index))
            except Exception as exc:  # a LockError counts as a lost message
                with guard:
                    errors.append(type(exc).__name__)

        async def run() -> None:
            await asyncio.gather(*(handle() for _ in range(messages)))

        asyncio.run(run())

    # Ticket issue on its own, the step the stock store does by read-modify-write.
    def issue(index: int) -> None:
        store = cls(host="127.0.0.1", port=port, db=0, key_prefix=prefix)
        for _ in range(25):
            ticket = store.issue_ticket(conversation + "-t", 60)
            with guard:
                tickets.append(ticket)

    # The stock store can livelock in the second phase (lost tickets are re-saved by
    # stale read-modify-writes), so its demonstration stops after the ticket race.
    for target in (issue,) if tickets_only else (issue, replica):
        threads = [threading.Thread(target=target, args=(i,)) for i in range(replicas)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    cls(host="127.0.0.1", port=port, db=0, key_prefix=prefix).delete_lock(conversation + "-t")
    intervals.sort()
    overlaps = sum(1 for a, b in zip(intervals, intervals[1:], strict=False) if b[0] < a[1])
    duplicates = sum(c - 1 for c in collections.Counter(tickets).values() if c > 1)
    print(
        json.dumps(
            {
                "processed": len(intervals),
                "expected": replicas * messages,
                "overlapping_sections": overlaps,
                "duplicate_tickets": duplicates,
                "errors": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
