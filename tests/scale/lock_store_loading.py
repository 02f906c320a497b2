"""Load the shop's lock stores the way ``rasa run`` does and audit one lock; runs in .venv-rasa.

Usage: python lock_store_loading.py REDIS_PORT KEY_PREFIX  (prints one JSON line)
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

CLASSES = [
    "rasa_addons.lock_store.AtomicRedisLockStore",
    "rasa_addons.lock_store.AuditedRedisLockStore",
]


async def main() -> None:
    port, prefix = sys.argv[1], sys.argv[2]
    out = {}
    for path in CLASSES:
        config = EndpointConfig(url="127.0.0.1", type=path, port=port, db=0, key_prefix=prefix)
        store = LockStore.create(config)
        async with store.lock(f"conv-{path.rsplit('.', 1)[1]}"):
            await asyncio.sleep(0.05)
        audit = [json.loads(x) for x in store.red.lrange(store.key_prefix + "lock_audit", 0, -1)]
        store.red.delete(store.key_prefix + "lock_audit")
        out[path] = {"class": type(store).__name__, "key_prefix": store.key_prefix, "audit": audit}
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())
