"""Issue 14, finding 6: identification guesses are limited per target account and per client
address (not per sender id, which the client chooses), shared through Redis by replicas."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis

from actions.forms import ValidateCancelForm, ValidateOrderStatusForm
from bot.bootstrap import Services, install, services
from bot.db.session import Database
from bot.safety.attempts import AttemptLimiter, _key
from bot.settings import Settings
from tests.actions.conftest import Conversation, find_order

TALK_TO_A_PERSON = {"title": "Talk to a person", "payload": "/contact_human_agent"}


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    """Counters in this process only (no Redis), over the test's shop if it has one."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SHOPBOT_REDIS_URL", raising=False)
    shop = request.getfixturevalue("shop") if "shop" in request.fixturenames else None
    install(Services(Settings(redis_url=None), database=shop))
    yield
    install(None)


def _name_zip(chat: Conversation, domain: dict, text: str, ip: str | None = None) -> object:
    metadata = {"client_ip": ip} if ip else None
    return chat.answer(ValidateOrderStatusForm(), domain, "email", text, metadata=metadata)


def test_name_and_zip_guesses_are_limited_per_name_across_sender_ids(
    shop: Database, domain: dict, in_process: None
) -> None:
    customer = find_order(shop, "delivered").customer
    name = f"{customer.first_name} {customer.last_name}"
    wrong = ["00001", "00002", "00003", "00004", "00005"]
    for guess in wrong:  # a new conversation (sender id) per guess, as the attacker did
        turn = _name_zip(Conversation(form="order_status_form"), domain, f"{name}, {guess}")
        assert turn.slots().get("customer_id") is None
    # The right ZIP now: refused during the cool-down, with the offer of a person.
    turn = _name_zip(Conversation(form="order_status_form"), domain, f"{name}, {customer.zip}")
    assert turn.slots().get("customer_id") is None
    assert "try again in 15 minutes" in turn.text and customer.first_name not in turn.text
    assert any(TALK_TO_A_PERSON in (m.get("buttons") or []) for m in turn.messages)


def test_email_second_fact_guesses_are_limited_per_email(
    shop: Database, domain: dict, in_process: None
) -> None:
    order = find_order(shop, "pending")
    customer = order.customer
    for guess in ("#W0000001", "#W0000002", "00001", "00002", "00003"):
        chat = Conversation(form="cancel_form")
        turn = chat.answer(ValidateCancelForm(), domain, "email", f"{customer.email} {guess}")
        assert turn.slots().get("customer_id") is None
    chat = Conversation(form="cancel_form")
    turn = chat.answer(ValidateCancelForm(), domain, "email", f"{customer.email} {order.id}")
    assert turn.slots().get("customer_id") is None and "try again in" in turn.text


def test_guesses_are_limited_per_client_address_across_targets(
    shop: Database, domain: dict, in_process: None
) -> None:
    customer = find_order(shop, "delivered").customer
    attacker, shopper = "203.0.113.9", "198.51.100.20"
    limit = services().settings.identify_max_client_failures
    for i in range(limit):  # a different (made-up) name each time: no target reaches its limit
        made_up = f"Guess Fake{'abcdefghijklmnopqrstuvwxyz'[i % 26]}{'xyz'[i // 26]}, 10001"
        turn = _name_zip(Conversation(form="order_status_form"), domain, made_up, attacker)
        expected = "try again in" if i == limit - 1 else "couldn't verify an account"
        assert expected in turn.text, turn.text
    real = f"{customer.first_name} {customer.last_name}, {customer.zip}"
    blocked = _name_zip(Conversation(form="order_status_form"), domain, real, attacker)
    assert blocked.slots().get("customer_id") is None and "try again in" in blocked.text
    # Another client is not affected.
    other = _name_zip(Conversation(form="order_status_form"), domain, real, shopper)
    assert other.slots()["customer_id"] == customer.id


def test_client_ip_comes_from_the_channel_metadata_only(
    shop: Database, domain: dict, in_process: None
) -> None:
    """A client_ip typed in the message text or a sender id does not count; the metadata
    field the channel overrides does (rasa_addons/session_ids.with_client_ip)."""
    from actions.forms import _client

    chat = Conversation(form="order_status_form")
    assert _client(chat.tracker("hi", metadata={"client_ip": "192.0.2.1"})) == "192.0.2.1"
    assert _client(chat.tracker("client_ip 192.0.2.1")) is None


def test_counters_are_shared_through_redis_and_expire(redis_url: str) -> None:
    """Two replicas (two limiters) on one Redis: failures on one block on the other; the
    window is a Redis expiry; concurrent failures are all counted (atomic INCR)."""
    target = f"name:test {uuid.uuid4().hex}"
    shop = b"shop-secret-1"
    one = AttemptLimiter(60, redis_url, secret=shop)
    two = AttemptLimiter(60, redis_url, secret=shop)
    other_shop = AttemptLimiter(60, redis_url, secret=b"shop-secret-2")
    key = _key(target, shop)
    client = redis.Redis.from_url(redis_url)
    try:
        threads = [threading.Thread(target=one.fail, args=([target],)) for _ in range(8)]
        threads += [threading.Thread(target=two.fail, args=([target],)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert int(client.get(key) or 0) == 16
        assert 0 < client.ttl(key) <= 60
        assert two.blocked({target: 16}) and one.blocked({target: 16})
        assert not two.blocked({target: 17})
        assert target.encode() not in b"".join(client.keys(key))  # keyed hash, no PII
        assert not other_shop.blocked({target: 1})  # another secret, other counters
    finally:
        client.delete(key)
        client.close()


def test_in_process_window_ends(in_process: None) -> None:
    now = [1000.0]
    limiter = AttemptLimiter(60, None, clock=lambda: now[0])
    for _ in range(3):
        limiter.fail(["email:a@example.com"])
    assert limiter.blocked({"email:a@example.com": 3})
    now[0] += 61
    assert not limiter.blocked({"email:a@example.com": 3})
