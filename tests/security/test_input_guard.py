"""The Rasa-side input guard and the buffered event broker, under the Rasa interpreter.

``rasa_addons`` runs inside the Rasa server (.venv-rasa, CPython 3.10); these checks run a
script there: the limits on size, rate per sender and sender ids, text cleaning, the apology
when processing fails or stays silent, and the event broker keeping events (in order) while
its database is unreachable.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

GUARD = r"""
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa_addons.input_limits import InputGuard

now = [0.0]
guard = InputGuard(max_chars=50, rate_limit=3, window_s=10, clock=lambda: now[0])
processed = []

async def ok(message):
    processed.append(message.text)
    await message.output_channel.send_text_message(message.sender_id, "fine")

async def boom(message):
    raise RuntimeError("redis.exceptions.ConnectionError: secret details")

async def silent(message):
    return None

async def say(handler, text, sender="s1"):
    out = CollectingOutputChannel()
    await guard.wrap(handler)(UserMessage(text, out, sender))
    return " | ".join(m.get("text", "") for m in out.messages)

async def main():
    assert await say(ok, "hello\x00\x1b there\u202e") == "fine"
    assert processed == ["hello there"], processed
    assert "too long" in await say(ok, "x" * 51)
    assert "didn't receive any text" in await say(ok, " \t ")
    assert await say(ok, "again") == "fine"  # 3rd counted message (refused sizes don't count)
    assert "very quickly" in await say(ok, "and again")  # 4th within 10 s
    assert await say(ok, "other sender", sender="s2") == "fine"
    now[0] = 11.0
    assert await say(ok, "later") == "fine"
    assert "couldn't read" in await say(ok, "hi", sender="")
    assert "couldn't read" in await say(ok, "hi", sender="x" * 200)
    reply = await say(boom, "hi", sender="s3")
    assert "technical problem" in reply and "redis" not in reply, reply
    assert "technical problem" in await say(silent, "hi", sender="s4")
    # in the message's own language (issue 20): Chinese script gets the Chinese apology
    assert "技术问题" in await say(boom, "我想退货", sender="s5")
    assert "太长" in await say(ok, "我" * 51, sender="s6")
    from rasa_addons.input_limits import is_guard_reply, guard_text, TROUBLE
    assert is_guard_reply(guard_text(TROUBLE)) and not is_guard_reply("Order #S1000001 shipped.")
    print("guard ok")

asyncio.run(main())
"""

BROKER = r"""
import sys, json, sqlite3, os
sys.path.insert(0, sys.argv[1])
from rasa_addons.event_broker import BufferedSQLEventBroker
import rasa_addons.event_broker as eb

path = sys.argv[2]
broker = BufferedSQLEventBroker(host="sqlite:///" + path)
broker.publish({"sender_id": "a", "event": "user", "text": "1"})
# the database becomes unreachable: its file is replaced by a directory
broker.engine.dispose()
os.rename(path, path + ".bak")
os.mkdir(path)
broker.publish({"sender_id": "a", "event": "bot", "text": "2"})
broker.publish({"sender_id": "a", "event": "user", "text": "3"})
assert broker.pending == 2, broker.pending
os.rmdir(path)
os.rename(path + ".bak", path)
eb.RETRY_AFTER_S = 0
broker._retry_at = 0
broker.publish({"sender_id": "a", "event": "bot", "text": "4"})
assert broker.pending == 0
rows = sqlite3.connect(path).execute("SELECT data FROM events ORDER BY id").fetchall()
texts = [json.loads(r[0])["text"] for r in rows]
assert texts == ["1", "2", "3", "4"], texts
print("broker ok")
"""


def _run(script: str, *args: str) -> str:
    if not RASA_PYTHON.exists():
        pytest.skip(".venv-rasa is missing")
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", script, str(PROJECT_ROOT), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_input_guard_limits_and_apologies() -> None:
    assert "guard ok" in _run(GUARD)


def test_event_broker_keeps_events_in_order_while_the_database_is_down(tmp_path: Path) -> None:
    assert "broker ok" in _run(BROKER, str(tmp_path / "events.db"))
