"""Issue 14, finding 7: a sender id is not a credential (Rasa-side channels and tracker store).

The scripts run in the Rasa environment (.venv-rasa) against the real channel classes and the
real Redis; they print one JSON line that the assertions read.
"""

from __future__ import annotations

import uuid

from tests.rasa_side.rasa_env import last_json, needs_rasa, redis_port_db, run

SOCKETIO = r"""
import asyncio, json
from rasa_addons import session_ids
from rasa_addons.socketio_channel import ShopSocketIOInput


class Sio:
    # Stands in for the AsyncServer's room and emit calls (no sockets in a unit run).
    def __init__(self, real):
        self.real, self.emits, self.rooms = real, [], {}

    async def emit(self, event, data=None, room=None, namespace=None, **kw):
        self.emits.append((event, data, room))

    def enter_room(self, sid, room, namespace=None):
        self.rooms.setdefault(sid, set()).add(room)

    def leave_room(self, sid, room, namespace=None):
        self.rooms.get(sid, set()).discard(room)


async def main():
    ch = ShopSocketIOInput.from_credentials({"user_message_evt": "user_uttered",
        "bot_message_evt": "bot_uttered", "session_persistence": True})
    seen = []

    async def on_new(msg):
        seen.append(msg)

    ch.blueprint(on_new)
    handlers = ch.sio.handlers["/"]
    fake = Sio(ch.sio)
    ch.sio.emit, ch.sio.enter_room, ch.sio.leave_room = fake.emit, fake.enter_room, fake.leave_room

    class Req:
        remote_addr, ip = "", "203.0.113.7"

    environ = {"sanic.request": Req(), "REMOTE_ADDR": "127.0.0.1"}
    out = {}
    # The shopper: no id yet, the server issues a signed one.
    assert await handlers["connect"]("shopper", environ, None)
    await handlers["session_request"]("shopper", {})
    signed = fake.emits[-1][1]
    victim = session_ids.verify(signed)
    out["issued_valid"] = victim is not None and victim.startswith("sb_")
    out["issued_bits"] = len(victim) - 3 if victim else 0
    out["shopper_rooms"] = sorted(fake.rooms["shopper"])
    # A reload with the signed id rejoins the same conversation.
    await handlers["session_request"]("shopper2", {"session_id": signed})
    out["reload_same"] = fake.emits[-1][1] == signed and fake.rooms["shopper2"] == {victim}
    # The attacker knows the bare sender id (console, logs) and tries to join and post.
    await handlers["connect"]("attacker", environ, None)
    await handlers["session_request"]("attacker", {"session_id": victim})
    out["attacker_got_new_id"] = fake.emits[-1][1] != signed
    forged = victim + "." + "0" * 32
    await handlers["session_request"]("attacker", {"session_id": forged})
    out["attacker_rooms"] = sorted(fake.rooms["attacker"])
    await handlers["user_uttered"]("attacker", {"message": "yes", "session_id": victim,
        "metadata": {"client_ip": "10.9.9.9", "customer_token": "t"}})
    out["attacker_message_sender"] = seen[-1].sender_id
    out["metadata"] = seen[-1].metadata
    # A socket that never asked for a session cannot post into any conversation.
    before = len(seen)
    await handlers["user_uttered"]("stranger", {"message": "yes", "session_id": victim})
    out["unbound_ignored"] = len(seen) == before
    await handlers["user_uttered"]("shopper", {"message": "hi", "session_id": "whatever"})
    out["shopper_message_sender"] = seen[-1].sender_id == victim
    out["victim"] = victim
    print(json.dumps(out))


asyncio.run(main())
"""

REST = r"""
import json
from rasa_addons import session_ids
from rasa_addons.rest_channel import ShopRestInput


class Req:
    def __init__(self, body):
        self.json, self.remote_addr, self.ip = body, "", "198.51.100.4"


async def sender(body):
    return await ShopRestInput()._extract_sender(Req(body))


import asyncio
signed = session_ids.issue()
bare = session_ids.verify(signed)
out = {
    "bare": asyncio.run(sender({"sender": bare})),
    "signed": asyncio.run(sender({"sender": signed})) == bare,
    "forged": asyncio.run(sender({"sender": bare + "." + "f" * 32})),
    "tool": asyncio.run(sender({"sender": "loadgen-17"})),
    "metadata": ShopRestInput().get_metadata(Req({"metadata": {"client_ip": "1.2.3.4", "a": 1}})),
}
print(json.dumps(out))
"""

TTL = r"""
import asyncio, json, sys, time
import redis
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons.tracker_store import ShopbotRedisTrackerStore

port, db, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
store = ShopbotRedisTrackerStore(Domain.empty(), host="127.0.0.1", port=port, db=db,
                                 key_prefix=prefix)
tracker = DialogueStateTracker.from_events("ttl-check", [UserUttered("hi")])
asyncio.run(store.save(tracker))
red = redis.Redis(port=port, db=db)
key = store.key_prefix + "ttl-check"
ttl = red.ttl(key)
time.sleep(3.2)
gone = not red.exists(key)
red.delete(key)
print(json.dumps({"ttl": ttl, "gone": gone}))
"""


@needs_rasa
def test_socketio_sessions_are_issued_signed_and_bound_to_the_socket() -> None:
    proc = run(["-c", SOCKETIO], {"SHOPBOT_SESSION_SECRET": "test-secret-1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc.stdout)
    victim = out["victim"]
    assert out["issued_valid"] and out["issued_bits"] >= 32  # 32 hex digits = 128 bits
    assert out["shopper_rooms"] == [victim]
    assert out["reload_same"]
    # Knowing the bare id or forging a signature gets a conversation of one's own, never the
    # shopper's room (their replies) nor their conversation (their verified identity).
    assert out["attacker_got_new_id"]
    assert victim not in out["attacker_rooms"] and len(out["attacker_rooms"]) == 1
    assert out["attacker_message_sender"] != victim
    assert out["unbound_ignored"]
    assert out["shopper_message_sender"]
    # client_ip is the channel's view of the client; the client's own value is dropped.
    assert out["metadata"] == {"client_ip": "203.0.113.7", "customer_token": "t"}


@needs_rasa
def test_rest_needs_the_signature_for_a_widget_conversation() -> None:
    proc = run(["-c", REST], {"SHOPBOT_SESSION_SECRET": "test-secret-2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc.stdout)
    assert out["bare"] == ""  # refused by the input guard (empty sender)
    assert out["signed"] is True
    assert out["forged"] == ""
    assert out["tool"] == "loadgen-17"  # server-side tools keep their own ids
    assert out["metadata"] == {"client_ip": "198.51.100.4", "a": 1}


@needs_rasa
def test_redis_trackers_expire_after_the_configured_retention(redis_url: str) -> None:
    port, db = redis_port_db(redis_url)
    prefix = f"ttltest{uuid.uuid4().hex[:8]}"
    proc = run(["-c", TTL, port, db, prefix], {"SHOPBOT_TRACKER_TTL_S": "2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc.stdout)
    assert 0 < out["ttl"] <= 2
    assert out["gone"] is True
