"""Poisoned ids and texts at the Rasa channels, and shopper text in Rasa's log (findings 2, 12).

Finding 2: a sender id with a lone surrogate or a NUL byte passed the input guard and then
blocked the event log for everyone. The REST channel must answer 400, the Socket.IO channel
must refuse the message (apology to that socket, ``error`` event) and never hand it to Rasa,
and texts, metadata and ``/intent{json}`` payload strings must arrive cleaned (lone surrogates
replaced, NUL and control characters removed) so the shopper still gets an answer.

Finding 12: Rasa's ``/intent{...}`` parser echoed the whole message (e-mail address included)
into the server's log. These checks run the real channel objects, a real Sanic server and
Rasa's real parser under the Rasa interpreter (.venv-rasa).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.db.session import Database
from tests.rasa_side.rasa_env import last_json, needs_rasa, run

CHANNELS = r"""
import asyncio, json, socket
import aiohttp
from sanic import Sanic
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa_addons.input_limits import InputGuard
from rasa_addons.rest_channel import ShopRestInput
from rasa_addons.socketio_channel import ShopSocketIOInput

seen = []

async def on_new(message):
    seen.append({"sender": message.sender_id, "text": message.text,
                 "metadata": message.metadata, "channel": message.input_channel})
    await message.output_channel.send_text_message(message.sender_id, "fine")

async def guard_checks():
    guard = InputGuard()
    out = {}
    for name, sender in [("surrogate", "evil\ud800"), ("nul", "nul\x00x"), ("space", "a b"),
                         ("slash", "../x"), ("ok", "sess-1_A.b:c@d+e=")]:
        channel = CollectingOutputChannel()
        await guard.wrap(on_new)(UserMessage("hi", channel, sender))
        out[name] = [m["text"] for m in channel.messages]
        out[name + "_recipient"] = [m["recipient_id"] for m in channel.messages]
    return out

async def rest_checks():
    app = Sanic("poison_rest")
    app.blueprint(ShopRestInput().blueprint(on_new), url_prefix="/webhooks/rest")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    bodies = {
        "surrogate_sender": '{"sender": "evil\\ud800", "message": "hi"}',
        "nul_sender": '{"sender": "nul\\u0000x", "message": "hi"}',
        "missing_sender": '{"message": "hi"}',
        "number_sender": '{"sender": 42, "message": "hi"}',
        "long_sender": json.dumps({"sender": "x" * 129, "message": "hi"}),
        "dirty_text": json.dumps({
            "sender": "rest-ok", "message": "hi\ud800 there\u0000\u001b!",
            "input_channel": "evil\u0000channel",
            "metadata": {"note\u0000": ["a\ud800", {"deep": "b\u0007c"}], "n": 1}}),
        "payload": json.dumps({
            "sender": "rest-ok",
            "message": '/inform{"email": "a\\u0000b@shop.test", "order_id": "#W1\\ud800"}'}),
        "clean_payload": json.dumps({"sender": "rest-ok", "message": '/inform{"email": "a@b.c"}'}),
    }
    out = {}
    async with aiohttp.ClientSession() as session:
        for name, body in bodies.items():
            async with session.post(url, data=body.encode(),
                                    headers={"content-type": "application/json"}) as r:
                out[name] = [r.status, (await r.text())[:300]]
    server.close()
    await server.wait_closed()
    return out

class Recorder:
    def __init__(self):
        self.calls = []

    async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None,
                   callback=None, ignore_queue=False):
        self.calls.append([event, data, room])

async def socketio_checks():
    ch = ShopSocketIOInput.from_credentials({"user_message_evt": "user_uttered",
        "bot_message_evt": "bot_uttered", "session_persistence": True})
    ch.blueprint(on_new)
    rec = Recorder()
    ch.sio.emit = rec.emit
    ch.sio.enter_room = lambda sid, room, namespace=None: rec.calls.append(["enter", sid, room])
    handlers = ch.sio.handlers["/"]
    before = len(seen)
    await handlers["user_uttered"]("sid1", {"message": "hi", "session_id": "evil\ud800"})
    await handlers["user_uttered"]("sid1", {"message": "hi", "session_id": "nul\x00x"})
    await handlers["user_uttered"]("sid1", ["not", "a", "dict"])
    refused = rec.calls[:]
    reached_rasa = len(seen) - before
    rec.calls.clear()
    await handlers["session_request"]("sid2", {"session_id": "bad\x00id"})
    confirm = [c for c in rec.calls if c[0] == "session_confirm"][0]
    rec.calls.clear()
    # The socket is bound to the issued conversation: the session id it names is ignored.
    await handlers["user_uttered"]("sid2", {"message": "hello\ud800\x00", "session_id": "good-1",
                                            "metadata": "{not json"})
    return {"refused": refused, "reached_rasa": reached_rasa,
            "new_session": confirm[1], "confirm_room": confirm[2],
            "good": seen[-1], "good_reply": rec.calls}

async def main():
    result = {"guard": await guard_checks()}
    seen.clear()
    result["rest"] = await rest_checks()
    result["rest_seen"] = seen[:]
    result["sio"] = await socketio_checks()
    print(json.dumps(result))

asyncio.run(main())
"""

BAD_SENDER = "Sorry, I couldn't read that message. Please reload the chat and try again."


@needs_rasa
def test_poisoned_sender_ids_are_refused_and_texts_cleaned_by_both_channels() -> None:
    proc = run(["-c", CHANNELS], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = last_json(proc.stdout)

    guard = result["guard"]
    for name in ("surrogate", "nul", "space", "slash"):
        assert guard[name] == [BAD_SENDER], (name, guard)
        assert guard[name + "_recipient"] == ["invalid"]
    assert guard["ok"] == ["fine"]

    rest = result["rest"]
    for name in ("surrogate_sender", "nul_sender", "missing_sender", "number_sender"):
        status, body = rest[name]
        assert status == 400 and "sender" in body and "Traceback" not in body, (name, rest[name])
    assert rest["long_sender"][0] == 400
    for name in ("dirty_text", "payload", "clean_payload"):
        assert rest[name][0] == 200 and "fine" in rest[name][1], (name, rest[name])
    # only the three good messages reached Rasa, cleaned
    handed_over = result["rest_seen"]
    assert [m["sender"] for m in handed_over] == ["rest-ok"] * 3
    dirty, payload, clean = handed_over
    assert dirty["text"] == "hi\ufffd there!"
    # cleaned, plus the client address the channel itself adds (never the client's word)
    assert dirty["metadata"] == {
        "note": ["a\ufffd", {"deep": "bc"}],
        "n": 1,
        "client_ip": "127.0.0.1",
    }
    assert dirty["channel"] == "rest"
    assert payload["text"] == '/inform{"email": "ab@shop.test", "order_id": "#W1\ufffd"}'
    assert clean["text"] == '/inform{"email": "a@b.c"}'  # untouched when nothing is wrong

    sio = result["sio"]
    assert sio["reached_rasa"] == 0
    apologies = [c for c in sio["refused"] if c[0] == "bot_uttered"]
    errors = [c for c in sio["refused"] if c[0] == "error"]
    assert apologies == [["bot_uttered", {"text": BAD_SENDER}, "sid1"]] * 3, sio["refused"]
    assert errors == [["error", {"error": "invalid session_id"}, "sid1"]] * 3
    # a bad id asked for gets a fresh server-issued one (rasa_addons/session_ids.py)
    issued = sio["new_session"]
    assert issued.startswith("sb_") and "\x00" not in issued
    assert sio["confirm_room"] == "sid2"
    bound_to = issued.split(".", 1)[0]
    assert sio["good"]["sender"] == bound_to and sio["good"]["text"] == "hello\ufffd"
    assert sio["good"]["metadata"] == {}
    assert sio["good_reply"] == [["bot_uttered", {"text": "fine"}, bound_to]]


PARSER = r"""
import contextlib, io, json, logging, sys, warnings
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.common import configure_logging_and_warnings
    configure_structlog(logging.INFO)  # as `rasa run` sets up its log
    configure_logging_and_warnings(logging.INFO)
    import rasa_addons.rest_channel  # what Rasa's server imports for credentials.yml
    from rasa.shared.core.domain import Domain
    from rasa.shared.nlu.training_data.message import Message
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler

    domain = Domain.from_dict({"intents": ["inform"], "entities": ["email"]})
    handler = RegexMessageHandler()
    parsed = handler.process(
        [Message({"text": '/inform{"email":"a@b.com","bogus":"x"}'})], domain)[0]
    handler.process([Message({"text": '/{"email": "c@d.com"}'})], domain)
    handler.process([Message({"text": '/inform{"email": "e@f.com", oops}'})], domain)
    logging.getLogger("rasa.core.processor").warning("sender says call +44 20 7946 0958")
    for h in logging.getLogger().handlers:
        h.flush()
print(json.dumps({"log": buffer.getvalue(),
                  "entities": [[e["entity"], e["value"]] for e in parsed.get("entities")]}))
"""


@needs_rasa
def test_rasa_log_carries_no_shopper_text_from_intent_payloads() -> None:
    proc = run(["-c", PARSER], extra_env={"FORCE_JSON_LOGGING": "1"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = last_json(proc.stdout)
    log = result["log"] + proc.stderr
    for secret in ("a@b.com", "c@d.com", "e@f.com", "bogus", "7946"):
        assert secret not in log, (secret, log[-2000:])
    assert result["entities"] == [["email", "a@b.com"]]  # parsing itself is unchanged
    assert "Failed to parse the arguments of a '/intent{...}' message" in log  # still warned
    assert "message.parsing.failed" in log


@pytest.mark.e2e
def test_after_hostile_messages_the_console_still_gets_events(running_stack: Any) -> None:
    """End to end: poisoned ids are refused, and a normal conversation still reaches ``events``."""
    url = f"{running_stack.rasa_url}/webhooks/rest/webhook"
    raw = {"content-type": "application/json"}
    for body in (
        '{"sender": "nul\\u0000id", "message": "hi"}',
        '{"sender": "x\\ud800", "message": "hi"}',
    ):
        response = httpx.post(url, content=body.encode(), headers=raw, timeout=120)
        assert response.status_code == 400 and "Traceback" not in response.text
    hostile = f"sec-poison-{uuid.uuid4().hex[:8]}"
    for body in (
        {"sender": hostile, "message": "hi\ud800 there\u0000", "metadata": {"x\u0000": "\ud800"}},
        {"sender": hostile, "message": '/inform{"email":"a@b.com","bogus":"x"}'},
        {"sender": hostile, "message": '/inform{"email": "nul\\u0000@b.com"}'},
    ):
        data = json.dumps(body).encode()  # (ASCII escapes: the lone surrogate survives)
        response = httpx.post(url, content=data, headers=raw, timeout=120)
        assert response.status_code == 200 and response.json(), response.text[:300]
    normal = f"sec-normal-{uuid.uuid4().hex[:8]}"
    response = httpx.post(url, json={"sender": normal, "message": "hello"}, timeout=120)
    assert response.status_code == 200 and response.json()
    db = Database(running_stack.config.database_url)
    try:
        deadline = time.monotonic() + 20
        while True:
            with db.session() as s:
                rows = s.execute(
                    text("SELECT sender_id, data FROM events WHERE sender_id IN (:a, :b)"),
                    {"a": normal, "b": hostile},
                ).all()
            if {r[0] for r in rows} == {normal, hostile} or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        db.dispose()
    assert {r[0] for r in rows} == {normal, hostile}, "events of the conversations are missing"
    stored = "".join(r[1] for r in rows if r[0] == hostile)
    assert "\\ud800" not in stored and "\\u0000" not in stored
    log = running_stack.tail("rasa", 100_000)
    assert "a@b.com" not in log and "bogus" not in log


TYPED = r"""
import json
from rasa_addons.input_limits import clean_payload, clean_value
print(json.dumps({
    "payload": clean_payload(
        '/inform{"zip": 1.5, "order_id": NaN, "person_name": 7, "x": {"$ne": 1},'
        ' "email": ["a@b.c", 3, null], "flag": true, "big": Infinity}'
    ),
    "untouched": clean_payload('/inform{"email": "a@b.c"}'),
    "not_an_object": clean_payload('/inform[1, 2]'),
    "metadata": clean_value({"x": float("nan"), "y": [float("inf"), 1.5], "z": "ok"}),
}))
"""


@needs_rasa
def test_entity_values_are_text_and_json_is_finite() -> None:
    """Red-team finding: ``/inform{"zip": 1.5}``, ``{"order_id": NaN}`` or ``{"order_id":
    {"$ne": 1}}`` made the actions fail ("technical problem" twice, the tracker in Rasa's log),
    and NaN in metadata made the console's conversation API answer 500."""
    proc = run(["-c", TYPED])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc.stdout)
    assert json.loads(out["payload"][len("/inform") :]) == {
        "zip": "1.5",
        "person_name": "7",
        "email": ["a@b.c", "3"],
    }
    assert out["untouched"] == '/inform{"email": "a@b.c"}'
    assert out["not_an_object"] == "/inform[1, 2]"
    assert out["metadata"] == {"x": None, "y": [None, 1.5], "z": "ok"}


@pytest.mark.e2e
def test_typed_entity_payloads_never_break_the_conversation(running_stack: Any) -> None:
    """The red-team sequence end to end: no "technical problem", NaN never reaches the
    console's API."""
    url = f"{running_stack.rasa_url}/webhooks/rest/webhook"
    sender = f"sec-typed-{uuid.uuid4().hex[:8]}"
    replies = []
    for message in (
        "where is my order",
        '/inform{"zip": 1.5}',
        "Ava Rossi",
        "Ava Rossi",
        '/inform{"order_id": {"$ne": 1}, "person_name": 7}',
    ):
        response = httpx.post(url, json={"sender": sender, "message": message}, timeout=120)
        assert response.status_code == 200, response.text[:300]
        replies.append(" ".join(str(r.get("text") or "") for r in response.json()))
    raw = '{"sender": "%s", "message": "/inform{\\"order_id\\": NaN}", "metadata": {"x": NaN}}'
    response = httpx.post(
        url, content=(raw % sender).encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text[:300]
    assert all(reply and "technical problem" not in reply for reply in replies), replies
    log = running_stack.tail("rasa", 100_000)
    assert "Ava Rossi" not in log
