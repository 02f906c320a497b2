"""Issue 14, finding 7 against the running stack (REST): a widget conversation needs its signed
id, and a verified identity does not survive into a new session."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.session import Database
from rasa_addons import session_ids
from rasa_addons.settings import current as rasa_settings

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _stack_secret(running_stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Sign ids here with the secret the stack's Rasa signs with (it gets its own per run)."""
    env = running_stack.env()
    for name in ("SHOPBOT_SESSION_SECRET", "SHOPBOT_SECRET_KEY"):
        if env.get(name):
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    rasa_settings.cache_clear()  # the Rasa-side settings are read once: read these
    yield
    rasa_settings.cache_clear()


def _say(stack: Any, sender: str, text: str) -> list[dict[str, Any]]:
    r = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=120,
    )
    r.raise_for_status()
    return list(r.json())


def _text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(x.get("text") or "") for x in replies)


def _tracker(stack: Any, sender: str) -> dict[str, Any]:
    r = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.config.rasa_token},
        timeout=30,
    )
    r.raise_for_status()
    return dict(r.json())


def _customer(stack: Any) -> m.Customer:
    db = Database(stack.config.database_url)
    try:
        with db.session() as s:
            order = s.scalars(
                select(m.Order).where(m.Order.id.like("#W%")).order_by(m.Order.id.desc())
            ).first()
            assert order is not None
            return order.customer
    finally:
        db.dispose()


def test_the_bare_sender_id_cannot_continue_a_verified_conversation(running_stack: Any) -> None:
    customer = _customer(running_stack)
    signed = session_ids.sign(session_ids.ISSUED_PREFIX + secrets.token_hex(16))
    sender = signed.split(".")[0]
    _say(running_stack, signed, "where is my order?")
    reply = _text(_say(running_stack, signed, f"{customer.email} {customer.zip}"))
    assert customer.first_name in reply, reply
    assert _tracker(running_stack, sender)["slots"]["customer_id"] == customer.id
    events_before = len(_tracker(running_stack, sender)["events"])

    # Someone who saw the sender id (console, logs, a URL) tries to continue the conversation.
    for attacker in (sender, sender + "." + "0" * 32):
        replies = _say(running_stack, attacker, "show me my orders")
        body = _text(replies)
        assert customer.first_name not in body and customer.email not in body
        assert "couldn't read that message" in body  # refused before Rasa sees it
    assert len(_tracker(running_stack, sender)["events"]) == events_before

    # The shopper with the signed id still continues their conversation.
    _say(running_stack, signed, "thanks")
    assert len(_tracker(running_stack, sender)["events"]) > events_before


def test_a_new_session_does_not_carry_the_verified_identity(running_stack: Any) -> None:
    customer = _customer(running_stack)
    signed = session_ids.issue()
    sender = signed.split(".")[0]
    _say(running_stack, signed, "where is my order?")
    _say(running_stack, signed, f"{customer.email} {customer.zip}")
    assert _tracker(running_stack, sender)["slots"]["customer_id"] == customer.id
    _say(running_stack, signed, "/session_start")
    slots = _tracker(running_stack, sender)["slots"]
    assert slots["customer_id"] is None and slots["email"] is None
    reply = _text(_say(running_stack, signed, "where is my order?"))
    assert "email" in reply.lower() and customer.first_name not in reply
