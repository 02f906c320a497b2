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

from bot.db import models as m
from bot.db.session import Database, set_database
from bot.dialogue.conversation import ShopConversation
from bot.orders.policy import DEFAULT_POLICY_FILE
from bot.settings import PROJECT_ROOT, get_settings
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data


@pytest.fixture
def strict_policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    raw = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    raw.setdefault("identification", {})["mode"] = "strict"
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.delenv("SHOPBOT_IDENTIFICATION", raising=False)
    monkeypatch.setenv("SHOPBOT_POLICY_FILE", str(path))
    get_settings.cache_clear()
    yield path
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def shop(sqlite_db: Database) -> Iterator[Database]:
    load_shop_data(sqlite_db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    set_database(sqlite_db)
    yield sqlite_db
    set_database(None)


def test_strict_only_in_the_policy_file(shop: Database, strict_policy_file: Path) -> None:
    assert "identification" not in get_settings().model_fields_set
    conversation = ShopConversation.default()
    assert conversation.policy.identification.mode == "strict"
    assert conversation.orders.policy is conversation.policy  # one object, one mode
    with shop.session() as s:
        customer = next(
            c for c in s.scalars(select(m.Customer).order_by(m.Customer.id)) if c.orders
        )
        email, zip_code, order_id = customer.email, customer.zip, customer.orders[0].id
        name = f"{customer.first_name} {customer.last_name}"
    # The dialogue asks what a strict shop needs, instead of the standard wording ...
    assert conversation.identify_by_email(email).message == conversation.strict_ask()
    assert conversation.identify_by_name_zip(name, zip_code).message == conversation.strict_ask()
    # ... and a shopper who sends it is identified.
    found = conversation.identify_by_email(email, order_id)
    assert found.ok and found.extra["customer_id"] == customer.id


def test_the_environment_still_overrides_the_file(
    shop: Database, strict_policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPBOT_IDENTIFICATION", "standard")
    get_settings.cache_clear()
    conversation = ShopConversation.default()
    assert conversation.policy.identification.mode == "standard"
    assert conversation.orders.policy.identification.mode == "standard"


def test_example_order_number_is_in_the_shops_own_format(shop: Database) -> None:
    """The example the bot shows is shaped like the shop's ids (the demo shop's '#S…'), never
    a real order number, and never the τ shop's '#W…' unless that is the shop's format."""
    conversation = ShopConversation.default()
    with shop.session() as s:
        ids = set(s.scalars(select(m.Order.id)))
    example = conversation.example_order_id()
    assert example == "#S1234567" and example not in ids
    assert all(i.startswith("#S") for i in ids)
    assert example in conversation.question("proof").text
    assert example in conversation.strict_ask()
    assert "#W" not in conversation.question("proof").text
