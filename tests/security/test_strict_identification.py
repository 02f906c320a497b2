"""SHOPBOT_IDENTIFICATION=strict through the dialogue service: e-mail alone or name + ZIP is
not enough; e-mail plus one of the shopper's order ids or their ZIP is; someone else's order
id or a wrong ZIP gets the same neutral refusal. The default mode is unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.bootstrap import Services
from bot.db import models as m
from bot.db.session import Database
from bot.dialogue.conversation import ShopConversation
from bot.orders.policy import load_policy
from bot.settings import PROJECT_ROOT, Settings
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data


@pytest.fixture
def shop(sqlite_db: Database) -> Database:
    load_shop_data(sqlite_db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    return sqlite_db


@pytest.fixture
def strict(shop: Database) -> Services:
    """The services of a process started with SHOPBOT_IDENTIFICATION=strict."""
    return Services(Settings(identification="strict"), database=shop)


def _two_customers(db: Database) -> tuple[m.Customer, str, m.Customer, str]:
    with db.session() as s:
        found = []
        for customer in s.scalars(select(m.Customer).order_by(m.Customer.id)):
            if customer.orders and customer.zip:
                found.append((customer, customer.orders[0].id))
            if len(found) == 2:
                break
    (a, a_order), (b, b_order) = found
    return a, a_order, b, b_order


def test_strict_mode_needs_a_second_fact(shop: Database, strict: Services) -> None:
    conversation = strict.conversation()
    a, a_order, b, b_order = _two_customers(shop)

    alone = conversation.identify_by_email(a.email)
    assert not alone.ok and alone.message == conversation.strict_ask()
    by_name = conversation.identify_by_name_zip(f"{a.first_name} {a.last_name}", a.zip)
    assert not by_name.ok and by_name.message == conversation.strict_ask()

    with_order = conversation.identify_by_email(a.email, a_order)
    assert with_order.ok and with_order.extra["customer_id"] == a.id
    with_zip = conversation.identify_by_email(a.email, a.zip)
    assert with_zip.ok and with_zip.extra["customer_id"] == a.id

    other_order = conversation.identify_by_email(a.email, b_order)
    wrong_zip = conversation.identify_by_email(a.email, "00000" if a.zip != "00000" else "99999")
    unknown = conversation.identify_by_email("nobody@example.invalid", a_order)
    assert not other_order.ok and not wrong_zip.ok and not unknown.ok
    # the same words whichever part was wrong: guessing learns nothing
    assert other_order.message == wrong_zip.message == unknown.message


def test_default_mode_needs_a_second_fact_with_an_email(shop: Database) -> None:
    """Issue 14 finding 6: an e-mail alone allowed changes and confirmed the account (first
    name). Now it asks for an order id or the ZIP, with the same words for any address."""
    assert Settings.model_fields["identification"].default == "standard"
    conversation = ShopConversation(shop, load_policy())
    a, a_order, b, b_order = _two_customers(shop)
    alone = conversation.identify_by_email(a.email)
    nobody = conversation.identify_by_email("nobody@example.invalid")
    assert not alone.ok and not nobody.ok and alone.message == nobody.message
    assert a.first_name not in alone.message
    assert conversation.identify_by_email(a.email, a_order).extra["customer_id"] == a.id
    assert conversation.identify_by_email(a.email, a.zip).extra["customer_id"] == a.id
    other = conversation.identify_by_email(a.email, b_order)
    unknown = conversation.identify_by_email("nobody@example.invalid", a_order)
    assert not other.ok and other.message == unknown.message


@pytest.mark.e2e
def test_strict_mode_through_the_dialogue(
    stack_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A Rasa stack with SHOPBOT_IDENTIFICATION=strict: e-mail alone is asked for a second
    fact; e-mail plus the shopper's order id identifies them."""
    import uuid

    import httpx

    from bot.runtime.stack import DEFAULT_MODEL, Stack, StackConfig

    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` first")
    db = Database(stack_database_url)
    try:
        with db.session() as s:
            order = s.scalars(
                select(m.Order).where(m.Order.id.like("#W%")).order_by(m.Order.id)
            ).first()
            assert order is not None
            email, first, order_id = order.customer.email, order.customer.first_name, order.id
    finally:
        db.dispose()
    config = StackConfig(
        database_url=stack_database_url,
        with_web=False,
        log_dir=tmp_path_factory.mktemp("strict-logs"),
        extra_env={"SHOPBOT_IDENTIFICATION": "strict"},
    )
    sender = f"strict-{uuid.uuid4().hex[:8]}"

    def say(stack: Stack, text: str) -> str:
        r = httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=120,
        )
        assert r.status_code == 200
        return "\n".join(str(x.get("text") or "") for x in r.json())

    with Stack(config) as stack:
        say(stack, "where is my order?")
        reply = say(stack, f"my email is {email}")
        assert "order numbers or your ZIP" in reply, reply
        assert first not in reply
        reply = say(stack, f"{email} {order_id}")
        assert first in reply, reply
