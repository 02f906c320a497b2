"""The event broker writes from a worker thread without losing or reordering events.

``BufferedSQLEventBroker.publish_many_async`` (used by the tracker store's save through
``rasa_addons.speedups``) lets the Rasa event loop serve other conversations while the
database writes; each save still returns only once its events are written or kept for retry.
"""

from __future__ import annotations

from pathlib import Path

from tests.rasa_side.rasa_env import last_json, needs_rasa, run

SCRIPT = r"""
import asyncio, json, random, sqlite3, sys
import sqlalchemy
from rasa_addons.event_broker import BufferedSQLEventBroker

path = sys.argv[1]
broker = BufferedSQLEventBroker(host="sqlite:///" + path)
rng = random.Random(5)

async def conversation(n):
    for save in range(10):
        await asyncio.sleep(rng.random() / 200)
        await broker.publish_many_async(
            [{"sender_id": f"s{n}", "event": "user", "seq": save * 3 + k} for k in range(3)]
        )
        rows = sqlite3.connect(path).execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (f"s{n}",)).fetchone()[0]
        assert rows == (save + 1) * 3, ("a save returned before its events were written", rows)

async def main():
    await asyncio.gather(*(conversation(n) for n in range(40)))

asyncio.run(main())
rows = sqlite3.connect(path).execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
per_sender = {}
for sender, data in rows:
    per_sender.setdefault(sender, []).append(json.loads(data)["seq"])
assert len(rows) == 1200 and all(v == list(range(30)) for v in per_sender.values()), per_sender

# the database goes away: nothing raises, the events wait, and are written first, in order
working = broker.engine
broker.engine = sqlalchemy.create_engine("sqlite:////nonexistent-dir/x.db")
asyncio.run(broker.publish_many_async([{"sender_id": "late", "event": "user", "seq": 0}]))
kept = broker.pending
broker.engine = working
broker._retry_at = 0.0
asyncio.run(broker.publish_many_async([{"sender_id": "late", "event": "user", "seq": 1}]))
late = [json.loads(d)["seq"] for (d,) in sqlite3.connect(path).execute(
    "SELECT data FROM events WHERE sender_id = 'late' ORDER BY id")]
result = {"rows": len(rows), "kept_while_down": kept, "late": late, "pending": broker.pending}
print(json.dumps(result))
"""


@needs_rasa
def test_concurrent_saves_are_written_in_order_before_they_return(tmp_path: Path) -> None:
    proc = run(["-c", SCRIPT, str(tmp_path / "events.db")], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = last_json(proc.stdout)
    assert result == {"rows": 1200, "kept_while_down": 1, "late": [0, 1], "pending": 0}
