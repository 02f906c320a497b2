"""Checks rasa_addons.socketio_channel under the Rasa interpreter (.venv-rasa): custom payloads
are emitted as one bot_uttered payload (Rasa 3.6 spreads them into emit() kwargs and fails)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

CHECK = r'''
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from rasa_addons.socketio_channel import ShopSocketIOInput, ShopSocketIOOutput


class Recorder:
    """Stands in for socketio.AsyncServer.emit, with its real signature."""

    def __init__(self):
        self.calls = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None,
                   callback=None, ignore_queue=False):
        self.calls.append((event, data, room))


async def main():
    rec = Recorder()
    out = ShopSocketIOOutput(rec, "bot_uttered")
    card = {"type": "product_cards", "products": [{"id": "1"}]}
    await out.send_custom_json("s1", dict(card))
    assert rec.calls == [("bot_uttered", card, "s1")], rec.calls
    # a staff message (bot event with text + agent payload): only the payload is emitted,
    # so the widget shows it once, as a person's
    agent = {"type": "agent_message", "text": "Hi, Sam here", "from": "Support team"}
    await out.send_response("s1", {"text": "Hi, Sam here", "custom": dict(agent),
                                   "agent": "sam@shop.test", "timestamp": 1.0})
    assert rec.calls[1:] == [("bot_uttered", agent, "s1")], rec.calls
    # any other bot message with text and a payload still sends both
    await out.send_response("s1", {"text": "Found these", "custom": dict(card)})
    assert [c[1] for c in rec.calls[2:]] == [{"text": "Found these"}, card], rec.calls
    ch = ShopSocketIOInput.from_credentials({"user_message_evt": "user_uttered",
        "bot_message_evt": "bot_uttered", "session_persistence": True})
    seen = []

    async def on_new(msg):
        seen.append(msg)

    ch.blueprint(on_new)
    assert ch.name() == "socketio"
    ch.sio.emit, ch.sio.enter_room = rec.emit, lambda *a, **k: None
    await ch.sio.handlers["/"]["session_request"]("sid1", {})
    signed = rec.calls[-1][1]
    handler = ch.sio.handlers["/"]["user_uttered"]
    await handler("sid1", {"message": "hi", "session_id": signed,
                           "metadata": {"customer_token": "t"}})
    assert isinstance(seen[0].output_channel, ShopSocketIOOutput), seen[0].output_channel
    assert seen[0].sender_id == signed.split(".")[0]
    assert seen[0].metadata == {"customer_token": "t"}
    assert isinstance(ch.get_output_channel(), ShopSocketIOOutput)
    print("CHANNEL-OK")


asyncio.run(main())
'''


def test_custom_payloads_are_emitted_whole_by_the_socketio_channel() -> None:
    if not RASA_PYTHON.exists():
        pytest.fail(f"{RASA_PYTHON} missing: run `make setup`")
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", CHECK, str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "CHANNEL-OK" in done.stdout


def test_credentials_use_the_fixed_channel() -> None:
    text = (PROJECT_ROOT / "credentials.yml").read_text()
    assert "rasa_addons.socketio_channel.ShopSocketIOInput:" in text
    assert "session_persistence: true" in text
