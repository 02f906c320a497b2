"""Staff reply in either language: what the console sends the shopper (the "a person has
joined" and "back with the assistant" notices, the label on a person's message) is in the
conversation's language; what staff type goes through untouched, down to the widget."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.console.demo import Script, write_script
from bot.console.handoff import shopper_language
from bot.db.session import Database
from bot.texts import t
from tests.console.conftest import AGENT, RecordingRasa, login

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
ZH_REPLY = "您好，我是客服小王😊 退款已经为您加急处理，预计1-3个工作日到账！"

# Rasa's own path for an appended bot event with side effects (rasa.server append_events ->
# MessageProcessor._send_bot_messages): the event is parsed into a BotUttered and its
# message() is sent through the conversation's output channel, here the widget's Socket.IO one.
TO_WIDGET = r"""
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
from rasa.shared.core.events import BotUttered, Event
from rasa_addons.socketio_channel import ShopSocketIOOutput


class Recorder:
    def __init__(self):
        self.calls = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None,
                   callback=None, ignore_queue=False):
        self.calls.append(data)


async def main():
    rec = Recorder()
    out = ShopSocketIOOutput(rec, "bot_uttered")
    for raw in json.loads(sys.stdin.read()):
        event = Event.from_parameters(raw)
        if isinstance(event, BotUttered):
            await out.send_response("room", event.message())
    print(json.dumps(rec.calls, ensure_ascii=True))


asyncio.run(main())
"""


def _waiting(db: Database, sender: str, said: str, lang: str) -> None:
    write_script(
        db,
        Script(sender, time.time() - 120)
        .user(said, "contact_human_agent")
        .slot("language", lang)
        .action("action_handoff")
        .slot("handoff_requested", True)
        .slot("handoff_reason", "shopper_asked"),
    )


def _to_widget(events: list[dict]) -> list[dict]:
    if not RASA_PYTHON.exists():
        pytest.fail(f"{RASA_PYTHON} missing: run `make setup`")
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", TO_WIDGET, str(PROJECT_ROOT)],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_chinese_conversation_gets_chinese_notices_and_the_reply_reaches_the_widget(
    app: FastAPI, staff: Database, rasa_endpoint: RecordingRasa
) -> None:
    _waiting(staff, "zh-shopper", "我要人工客服", "zh")
    agent = TestClient(app)
    csrf = login(agent, AGENT)
    (item,) = agent.get("/console/api/handoffs").json()["handoffs"]
    agent.post(f"/console/handoffs/{item['id']}/take", data={"csrf": csrf})
    joined = rasa_endpoint.calls[-1]["events"][1]["data"]["custom"]
    assert joined["text"] == t("handoff.agent_joined", "zh") == "我们的客服已加入对话。"

    sent = agent.post(
        f"/console/handoffs/{item['id']}/reply",
        data={"text": ZH_REPLY},
        headers={"X-CSRF-Token": csrf},
    )
    assert sent.json() == {"ok": True}
    (event,) = rasa_endpoint.calls[-1]["events"]  # as Rasa's HTTP API received it
    assert event["text"] == ZH_REPLY
    assert event["data"]["custom"] == {
        "type": "agent_message",
        "text": ZH_REPLY,
        "from": t("handoff.support_team", "zh"),
    }
    # ... and as the widget receives it from Rasa's Socket.IO output channel
    (payload,) = _to_widget([event])
    assert payload == {"type": "agent_message", "text": ZH_REPLY, "from": "人工客服"}

    agent.post(f"/console/handoffs/{item['id']}/release", data={"csrf": csrf})
    returned = rasa_endpoint.calls[-1]["events"][-1]["data"]["custom"]
    assert returned["text"] == t("handoff.back_to_bot", "zh")


def test_english_conversation_keeps_english_notices_whatever_staff_write(
    app: FastAPI, staff: Database, rasa_endpoint: RecordingRasa
) -> None:
    _waiting(staff, "en-shopper", "I want a person", "en")
    agent = TestClient(app)
    csrf = login(agent, AGENT)
    (item,) = agent.get("/console/api/handoffs").json()["handoffs"]
    agent.post(f"/console/handoffs/{item['id']}/take", data={"csrf": csrf})
    assert rasa_endpoint.calls[-1]["events"][1]["data"]["custom"]["text"] == t(
        "handoff.agent_joined", "en"
    )
    agent.post(
        f"/console/handoffs/{item['id']}/reply",
        data={"text": "Hi! 你好 — Sam here."},
        headers={"X-CSRF-Token": csrf},
    )
    custom = rasa_endpoint.calls[-1]["events"][0]["data"]["custom"]
    assert custom["text"] == "Hi! 你好 — Sam here." and custom["from"] == "Support team"
    agent.post(f"/console/handoffs/{item['id']}/close", data={"csrf": csrf})
    assert rasa_endpoint.calls[-1]["events"][-1]["data"]["custom"]["text"] == t(
        "handoff.closed", "en"
    )


def test_the_conversation_page_shows_the_shoppers_language(app: FastAPI, staff: Database) -> None:
    _waiting(staff, "zh-page", "转人工", "zh")
    agent = TestClient(app)
    login(agent, AGENT)
    conv_id = agent.get("/console/api/conversations").json()["conversations"][0]["id"]
    page = agent.get(f"/console/conversations/{conv_id}").text
    assert 'id="handoff-language">中文 (zh)<' in page


def test_language_without_a_slot_comes_from_the_latest_message(staff: Database) -> None:
    write_script(staff, Script("no-slot", time.time()).user("hello", "greet").user("退货", "x"))
    write_script(staff, Script("ids-only", time.time()).user("S1000029", "inform"))
    with staff.session() as session:
        assert shopper_language(session, "no-slot") == "zh"
        assert shopper_language(session, "ids-only") == "en"  # no evidence: English
        assert shopper_language(session, "nobody") == "en"
