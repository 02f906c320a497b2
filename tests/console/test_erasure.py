"""Issue 14 finding 9: erasing a customer leaves nothing behind, in SQL or in Redis."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from bot.console import review
from bot.console.auth import audit
from bot.console.demo import Script, write_script
from bot.console.erasure import erase_customer
from bot.console.ingest import ingest_new_events
from bot.console.models import AuditEntry, Conversation
from bot.console.pseudonym import customer_ref
from bot.db.models import Customer, Order, PaymentMethod
from bot.db.session import Database
from bot.insights.models import ProfileFact, ProfileOptOut
from bot.memory.redis_memory import RedisSessionMemory
from tests.console.conftest import ADMIN, AGENT, login

CUSTOMER_ID = "zebulon_quixley_4821"
EMAIL = "zebulon.q@example.org"
FIRST, LAST, ZIP = "Zebulon", "Quixley", "90412"
SENDERS = ("widget-zq-first-7c1", "widget-zq-second-9d2")
REDIS_ONLY = "widget-zq-redisonly-5f0"  # a tracker whose events never reached the database
OTHER = "widget-other-3e4"


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A private Redis key prefix (alphanumeric, as Rasa requires); removed afterwards."""
    name = "erasetest" + uuid.uuid4().hex[:10]
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _tracker(sender: str, customer_id: str | None, said: str) -> str:
    events: list[dict[str, object]] = [{"event": "user", "text": said}]
    if customer_id:
        events.append({"event": "slot", "name": "customer_id", "value": customer_id})
    return json.dumps({"sender_id": sender, "events": events})


def _seed(db: Database, url: str, prefix: str) -> None:
    with db.transaction() as s:
        s.add(
            Customer(
                id=CUSTOMER_ID, first_name=FIRST, last_name=LAST, email=EMAIL,
                phone="555-201-7788", address1="12 Larch Street", city="Quellbridge", zip=ZIP,
            )
        )  # fmt: skip
        s.flush()
        s.add(PaymentMethod(id="pm_zq_1", customer_id=CUSTOMER_ID, kind="paypal"))
        s.add(
            Order(
                id="#W7770001", customer_id=CUSTOMER_ID, status="delivered",
                address1="12 Larch Street", city="Quellbridge", zip=ZIP,
                created_at=datetime.now(UTC),
            )
        )  # fmt: skip
        s.add(ProfileFact(customer_id=CUSTOMER_ID, kind="size", value="44", source="message",
                          evidence_ref=SENDERS[0], excerpt="size 44 please"))  # fmt: skip
        s.add(ProfileOptOut(customer_id=CUSTOMER_ID))
    now = time.time() - 600
    write_script(
        db,
        Script(SENDERS[0], now)
        .user(f"hi, I am {FIRST} {LAST}, zip {ZIP}", "identify", 0.9)
        .slot("customer_id", CUSTOMER_ID)
        .bot(f"Thanks {FIRST}, I found your account.")
        .user("this is terrible, I want a person", "handoff", 0.9)
        .slot("handoff_requested", True)
        .action("action_handoff")
        .bot("Connecting you"),
    )
    write_script(
        db,
        Script(SENDERS[1], now + 60)
        .user(f"my email is {EMAIL}", "inform", 0.9)
        .bot("Let me look that up."),
    )
    write_script(
        db, Script(OTHER, now + 120).user("where is my order?", "order_status").bot("Which one?")
    )
    ingest_new_events(db)
    with db.session() as s:
        convs = {c.sender_id: c.id for c in s.scalars(select(Conversation))}
        first_user_event = s.scalar(
            text("SELECT min(id) FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": SENDERS[0]},
        )
    review.set_tags(staff_db := db, convs[SENDERS[0]], "vip, angry")
    review.set_note(staff_db, convs[SENDERS[0]], f"{FIRST} {LAST} called twice about {EMAIL}")
    review.correct_intent(db, convs[SENDERS[0]], int(first_user_event), "greet", ADMIN[0])
    audit(db, ADMIN[0], "reveal", SENDERS[0])
    audit(db, ADMIN[0], "export", None, f"customer={CUSTOMER_ID}")
    client = redis.Redis.from_url(url)
    for sender, cid in ((*SENDERS[:1], CUSTOMER_ID), (SENDERS[1], None), (REDIS_ONLY, CUSTOMER_ID)):
        client.set(f"{prefix}:tracker:{sender}", _tracker(sender, cid, f"I am {FIRST} {LAST}"))
    client.set(f"{prefix}:tracker:{OTHER}", _tracker(OTHER, None, "where is my order?"))
    client.set(f"{prefix}:lock:{SENDERS[0]}", "ticket")
    for sender in (*SENDERS, OTHER):
        client.rpush(f"{prefix}:lock:lock_audit", json.dumps({"conversation": sender, "pid": 1}))
    client.close()
    memory = RedisSessionMemory(url, prefix=f"{prefix}:memory:")
    for sender in (*SENDERS, OTHER):

        def remember(state, sender=sender):  # type: ignore[no-untyped-def]
            if sender == OTHER:
                state.add_turn("user", "where is my order?")
            else:
                state.customer_id = CUSTOMER_ID
                state.add_turn("user", f"I am {FIRST} {LAST}")

        memory.update(sender, remember)
    memory.close()


def _needles() -> list[str]:
    return [n.lower() for n in (CUSTOMER_ID, EMAIL, FIRST, LAST, *SENDERS, REDIS_ONLY)]


def _database_hits(db: Database) -> list[str]:
    hits = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                blob = " ".join(str(v) for v in row).lower()
                hits += [f"{table}: {n}" for n in _needles() if n in blob]
    return hits


def _redis_hits(url: str, prefix: str) -> list[str]:
    client = redis.Redis.from_url(url, decode_responses=True)
    hits = []
    for key in client.scan_iter(match=f"{prefix}*"):
        kind = client.type(key)
        if kind == "string":
            value = client.get(key) or ""
        elif kind == "list":
            value = " ".join(client.lrange(key, 0, -1))
        elif kind == "hash":
            value = json.dumps(client.hgetall(key))
        else:
            value = " ".join(client.smembers(key))
        blob = f"{key} {value}".lower()
        hits += [f"{key}: {n}" for n in _needles() if n in blob]
    client.close()
    return hits


def test_erase_leaves_no_trace_in_any_table_or_redis_key(
    staff: Database, redis_url: str, prefix: str
) -> None:
    _seed(staff, redis_url, prefix)
    assert _database_hits(staff) and _redis_hits(redis_url, prefix)  # the search does find

    report = erase_customer(
        staff, EMAIL, staff=ADMIN[0], redis_url=redis_url, key_prefix=prefix, reason="ticket 42"
    )

    assert report.conversations == 3
    assert _database_hits(staff) == []
    assert _redis_hits(redis_url, prefix) == []
    # The old sender id no longer carries the customer: its tracker is gone.
    client = redis.Redis.from_url(redis_url)
    assert client.get(f"{prefix}:tracker:{SENDERS[0]}") is None
    # Nobody else's data was touched.
    assert client.get(f"{prefix}:tracker:{OTHER}") is not None
    assert client.llen(f"{prefix}:lock:lock_audit") == 1
    client.close()
    assert RedisSessionMemory(redis_url, prefix=f"{prefix}:memory:").load(OTHER).turns
    with staff.session() as s:
        assert [c.sender_id for c in s.scalars(select(Conversation))] == [OTHER]
        order = s.get(Order, "#W7770001")
        assert order is not None and order.customer_id.startswith("erased_")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
    assert entry.staff_email == ADMIN[0]
    assert customer_ref(CUSTOMER_ID) in entry.detail and "ticket 42" in entry.detail


def test_console_erase_is_admin_only_csrf_checked_and_audited(
    app: FastAPI, staff: Database
) -> None:
    write_script(
        staff,
        Script("erase-me-1", time.time() - 60)
        .user(f"my email is {EMAIL}", "inform")
        .slot("customer_id", CUSTOMER_ID),
    )
    agent = TestClient(app)
    csrf = login(agent, AGENT)
    refused = agent.post("/console/customers/erase", data={"customer": EMAIL, "csrf": csrf})
    assert refused.status_code == 403
    admin = TestClient(app)
    csrf = login(admin, ADMIN)
    assert admin.post("/console/customers/erase", data={"customer": EMAIL}).status_code == 403
    done = admin.post("/console/customers/erase", data={"customer": CUSTOMER_ID, "csrf": csrf})
    assert done.status_code == 200 and "Deleted 1 conversation" in done.text
    assert CUSTOMER_ID not in done.text and EMAIL not in done.text
    assert _database_hits(staff) == []
    with staff.session() as s:
        erase = s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
    assert erase.staff_email == ADMIN[0] and customer_ref(CUSTOMER_ID) in erase.detail
