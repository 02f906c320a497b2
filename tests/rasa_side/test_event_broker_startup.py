"""Two Rasa replicas starting at once must not kill each other over the ``events`` table.

Rasa's SQL broker runs CREATE TABLE on start-up; on a fresh PostgreSQL database two replicas
race and the loser fails with a duplicate key on pg_type (seen in tests/scale). Our broker
retries; here the first attempt is made to fail exactly like that.
"""

from __future__ import annotations

from pathlib import Path

from tests.rasa_side.rasa_env import needs_rasa, run

SCRIPT = r"""
import json, sqlite3, sys
import sqlalchemy.exc
from rasa.core.brokers.sql import SQLEventBroker
from rasa_addons.event_broker import BufferedSQLEventBroker

path = sys.argv[1]
original = SQLEventBroker.__init__
calls = []

def racing(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 1:
        raise sqlalchemy.exc.IntegrityError(
            "CREATE TABLE events", {},
            Exception('duplicate key value violates unique constraint "pg_type_typname_nsp_index"'),
        )
    return original(self, *args, **kwargs)

SQLEventBroker.__init__ = racing
broker = BufferedSQLEventBroker(host="sqlite:///" + path)
broker.publish({"sender_id": "s1", "event": "user", "text": "hi"})
rows = sqlite3.connect(path).execute("SELECT sender_id, data FROM events").fetchall()
print(json.dumps({"attempts": len(calls), "rows": len(rows), "sender": rows[0][0]}))
"""


@needs_rasa
def test_a_concurrent_create_table_is_retried(tmp_path: Path) -> None:
    proc = run(["-c", SCRIPT, str(tmp_path / "events.db")], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == '{"attempts": 2, "rows": 1, "sender": "s1"}'
