"""One event the database refuses must not stop the event log (security review, finding 2).

A sender id with a lone surrogate (no UTF-8 encoding) or a NUL byte (refused by PostgreSQL)
used to make every retry of its batch fail, so every later event of every conversation stayed
queued and the staff console went blind. Here such events reach ``BufferedSQLEventBroker``
directly (as if the input guard had been bypassed), on real SQLite and PostgreSQL: every other
event is written in order, the poisoned ones land in ``events_dead_letter``, later events
keep flowing, and a real outage is still retried in order instead of being dead-lettered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _create_pg_database, _drop_pg_database
from tests.rasa_side.rasa_env import last_json, needs_rasa, run

SCRIPT = r"""
import json, logging, sys
import sqlalchemy
from rasa_addons.event_broker import BufferedSQLEventBroker
import rasa_addons.event_broker as eb

url, dead_file = sys.argv[1], sys.argv[2]
records = []
handler = logging.Handler()
handler.emit = records.append
logging.getLogger("rasa_addons.event_broker").addHandler(handler)

broker = BufferedSQLEventBroker(host=url, dead_letter_file=dead_file)
engine = sqlalchemy.create_engine(url)

def rows(table, columns="sender_id, data"):
    if not sqlalchemy.inspect(engine).has_table(table):  # (so a failure shows the symptom)
        return []
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(sqlalchemy.text(
            f"SELECT {columns} FROM {table} ORDER BY id"))]

secret = "my card is 4111 1111 1111 1111"
good = lambda n: {"sender_id": f"ok-{n % 3}", "event": "user", "seq": n, "text": "hi"}
batch = [good(n) for n in range(10)]
batch.insert(3, {"sender_id": "evil\ud800", "event": "user", "text": secret})
batch.insert(8, {"sender_id": "nul\x00x", "event": "user", "text": secret})
broker.publish_many(batch)
after_poison = broker.pending
broker.publish_many([good(n) for n in range(10, 15)])  # later events keep flowing

events = rows("events")
dead = rows("events_dead_letter")
errors = [r[0] for r in rows("events_dead_letter", "error")]

# a real outage is retried in order, not dead-lettered
working = broker.engine
broker.engine = sqlalchemy.create_engine(sys.argv[3])
broker.publish({"sender_id": "late", "event": "user", "seq": 0})
kept = broker.pending
broker.engine = working
broker._retry_at = 0.0
broker.publish({"sender_id": "late", "event": "user", "seq": 1})
late = [json.loads(d)["seq"] for s, d in rows("events") if s == "late"]

print(json.dumps({
    "seqs": [json.loads(d)["seq"] for s, d in events if s.startswith("ok-")],
    "others": [s for s, d in events if not s.startswith(("ok-", "late"))],
    "after_poison": after_poison,
    "dead_senders": [s for s, d in dead],
    "dead_texts": [json.loads(d)["text"] for s, d in dead],
    "dead_ascii": all(d.isascii() for s, d in dead),
    "dead_count": getattr(broker, "dead_lettered", None),
    "errors_named": all(e.split(":")[0] for e in errors) and len(errors),
    "kept_while_down": kept,
    "late": late,
    "pending": broker.pending,
    "log_has_text": any("4111" in r.getMessage() for r in records),
    "dead_logged": sum("events_dead_letter" in r.getMessage() for r in records),
}))
"""

DEAD_DOWN = "postgresql://nobody@127.0.0.1:1/nothing"


@pytest.fixture(params=["sqlite", "postgresql"])
def events_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'events.db'}"
        return
    # A database of its own: the session database holds other tests' event tables.
    name, url = _create_pg_database("shopbot_poison")
    try:
        yield url.replace("+psycopg", "", 1)
    finally:
        _drop_pg_database(name)


@needs_rasa
def test_a_poisoned_event_is_dead_lettered_and_the_log_keeps_flowing(
    events_url: str, tmp_path: Path
) -> None:
    dead_file = tmp_path / "dead.jsonl"
    proc = run(["-c", SCRIPT, events_url, str(dead_file), DEAD_DOWN], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = last_json(proc.stdout)
    assert result["seqs"] == list(range(15)), result  # every good event, in order
    # SQLite stores a NUL byte; PostgreSQL refuses it (then it is dead-lettered as well)
    on_pg = "postgresql" in events_url
    assert result["others"] == ([] if on_pg else ["nul\x00x"]), result
    assert result["after_poison"] == 0  # nothing left blocking the queue
    expected = ["evil\\ud800"] + (["nul\\u0000x"] if on_pg else [])
    assert result["dead_senders"] == expected, result
    assert result["dead_count"] == len(expected)
    assert result["dead_texts"] == ["my card is 4111 1111 1111 1111"] * len(expected)
    assert result["dead_ascii"] and result["errors_named"] == len(expected)
    assert result["dead_logged"] == len(expected)
    assert result["log_has_text"] is False  # the log names sender and error, not the text
    assert result["kept_while_down"] == 1 and result["late"] == [0, 1]
    assert result["pending"] == 0
    assert not dead_file.exists()  # the table took them


FILE_SCRIPT = r"""
import json, sys
import sqlalchemy
from rasa_addons.event_broker import BufferedSQLEventBroker

url, dead_file = sys.argv[1], sys.argv[2]
broker = BufferedSQLEventBroker(host=url, dead_letter_file=dead_file)
engine = sqlalchemy.create_engine(url)
with engine.begin() as c:  # the dead-letter table refuses rows too (a broken schema)
    c.execute(sqlalchemy.text("DROP TABLE events_dead_letter"))
    c.execute(sqlalchemy.text(
        "CREATE TABLE events_dead_letter (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
        "data TEXT, error TEXT, failed_at TIMESTAMP, CHECK (length(data) < 5))"))
broker.publish_many([{"sender_id": "a", "event": "user", "seq": 0},
                     {"sender_id": "b\ud800", "event": "user", "seq": 1},
                     {"sender_id": "a", "event": "user", "seq": 2}])
with engine.connect() as c:
    seqs = [json.loads(d)["seq"] for (d,) in c.execute(sqlalchemy.text(
        "SELECT data FROM events ORDER BY id"))]
print(json.dumps({"seqs": seqs, "pending": broker.pending}))
"""


@needs_rasa
def test_when_the_dead_letter_table_refuses_too_the_event_goes_to_a_file(tmp_path: Path) -> None:
    dead_file = tmp_path / "logs" / "dead.jsonl"
    url = f"sqlite:///{tmp_path / 'events.db'}"
    proc = run(["-c", FILE_SCRIPT, url, str(dead_file)], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert last_json(proc.stdout) == {"seqs": [0, 2], "pending": 0}
    lines = dead_file.read_text(encoding="ascii").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["sender_id"] == "b\\ud800" and json.loads(row["data"])["seq"] == 1
    assert row["error"].startswith("UnicodeEncodeError")
