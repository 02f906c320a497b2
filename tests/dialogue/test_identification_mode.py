"""One identification mode (issue 15): ``mode: strict`` in the policy file alone is enough.

Before, the order service read the mode from policy.yml and the dialogue from
SHOPBOT_IDENTIFICATION, so a strict policy file gave the dialogue's standard questions and the
service's strict refusals: nobody could be identified by name + ZIP, nor told what to send.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from actions.forms import ValidateIdentifyForm, ValidateOrderStatusForm
from bot.bootstrap import Services, install
from bot.db import models as m
from bot.db.session import Database
from bot.orders.policy import DEFAULT_POLICY_FILE
from bot.orders.results import Ok, Refused
from bot.settings import PROJECT_ROOT, Settings
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data
from tests.actions.conftest import Conversation, domain  # noqa: F401 - the domain fixture


@pytest.fixture
def strict_policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shop's policy with ``mode: strict``; SHOPBOT_IDENTIFICATION is not set anywhere."""
    raw = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    raw.setdefault("identification", {})["mode"] = "strict"
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.delenv("SHOPBOT_IDENTIFICATION", raising=False)
    return path


@pytest.fixture
def shop(sqlite_db: Database) -> Database:
    load_shop_data(sqlite_db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    return sqlite_db


@pytest.fixture
def strict_shop(shop: Database, strict_policy_file: Path) -> Iterator[Services]:
    """The process's services as the bootstrap builds them with only SHOPBOT_POLICY_FILE."""
    services = Services(Settings(policy_file=strict_policy_file), database=shop)
    install(services)
    yield services
    install(None)


def _customer(db: Database) -> m.Customer:
    with db.session() as s:
        customer = next(
            c for c in s.scalars(select(m.Customer).order_by(m.Customer.id)) if c.orders
        )
        customer.orders  # noqa: B018 - load before the session closes
        return customer


def test_strict_only_in_the_policy_file(strict_shop: Services) -> None:
    assert "identification" not in strict_shop.settings.model_fields_set
    customer = _customer(strict_shop.database)
    email, zip_code, order_id = customer.email, customer.zip, customer.orders[0].id
    name = f"{customer.first_name} {customer.last_name}"

    # The order service: name + ZIP is not enough, e-mail plus an order id is.
    orders = strict_shop.orders
    assert orders.policy.identification.mode == "strict"
    assert isinstance(orders.identify_by_name_zip(customer.first_name, customer.last_name,
                                                  zip_code), Refused)  # fmt: skip
    found = orders.identify_strict(email, order_id)
    assert isinstance(found, Ok) and found.value.id == customer.id

    # The dialogue, with the same policy object: it asks what a strict shop needs instead of
    # the standard wording, and a shopper who sends it is identified.
    conversation = strict_shop.conversation()
    assert conversation.policy.identification.mode == "strict"
    assert conversation.orders.policy is conversation.policy  # one object, one mode
    assert conversation.identify_by_email(email).message == conversation.strict_ask()
    assert conversation.identify_by_name_zip(name, zip_code).message == conversation.strict_ask()
    found_check = conversation.identify_by_email(email, order_id)
    assert found_check.ok and found_check.extra["customer_id"] == customer.id


def test_strict_only_in_the_policy_file_through_the_forms(
    strict_shop: Services,
    domain: dict,  # noqa: F811 - the fixture imported above
) -> None:
    """The form validators (what Rasa calls) under the installed services."""
    customer = _customer(strict_shop.database)
    by_name = Conversation(form="order_status_form")
    turn = by_name.answer(
        ValidateOrderStatusForm(), domain, "email",
        f"{customer.first_name} {customer.last_name}, {customer.zip}",
    )  # fmt: skip
    assert turn.slots().get("customer_id") is None
    chat = Conversation(form="identify_form")
    turn = chat.answer(ValidateIdentifyForm(), domain, "email", customer.email)
    assert "customer_id" not in turn.slots()
    turn = chat.answer(ValidateIdentifyForm(), domain, "zip", customer.orders[0].id)
    assert turn.slots()["customer_id"] == customer.id


def test_the_setting_still_overrides_the_file(shop: Database, strict_policy_file: Path) -> None:
    services = Services(
        Settings(policy_file=strict_policy_file, identification="standard"), database=shop
    )
    assert services.policy.identification.mode == "standard"
    assert services.conversation().policy.identification.mode == "standard"
    assert services.orders.policy.identification.mode == "standard"


@pytest.fixture
def installed(shop: Database) -> Iterator[Services]:
    services = Services(Settings(), database=shop)
    install(services)
    yield services
    install(None)


def test_example_order_number_is_in_the_shops_own_format(installed: Services) -> None:
    """The example the bot shows is shaped like the shop's ids (the demo shop's '#S…'), never
    a real order number, and never the τ shop's '#W…' unless that is the shop's format."""
    conversation = installed.conversation()
    with installed.database.session() as s:
        ids = set(s.scalars(select(m.Order.id)))
    example = conversation.example_order_id()
    assert example == "#S1234567" and example not in ids
    assert all(i.startswith("#S") for i in ids)
    assert example in conversation.question("proof").text
    assert example in conversation.strict_ask()
    assert "#W" not in conversation.question("proof").text
