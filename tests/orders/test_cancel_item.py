"""Cancel one item of a pending order (the task added to prove the registry, issue 15).

Runs on SQLite and PostgreSQL (the ``db`` fixture): the line goes, the order stays pending,
the item's price goes back to the method that paid; every refusal changes nothing.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from bot.db.session import Database
from bot.orders.results import Ok, RefusalCode, Refused
from bot.orders.service import OrderService
from bot.orders.tasks import BY_NAME
from tests.orders.conftest import (
    ADA,
    ADA_CARD,
    ALAN,
    BOTTLE_500,
    LAMP_BLACK,
    TEE_BLUE_M,
    snapshot,
    transactions,
)


def test_cancelling_one_item_refunds_its_price(service: OrderService, shop: Database) -> None:
    preview = service.preview("cancel_item", ADA, "#S1000001", [BOTTLE_500])
    assert isinstance(preview, Ok), preview
    assert preview.value.action == "cancel_item" and preview.value.amount_delta == D("-15.00")
    assert "Water Bottle (capacity 500ml)" in preview.value.summary
    assert "$15.00 will be refunded to your Visa ending 4242" in preview.value.summary
    assert snapshot(shop)["orders"]["#S1000001"][4][1][0] == BOTTLE_500  # nothing changed yet

    result = service.change("cancel_item", ADA, "s1000001", [BOTTLE_500])
    assert isinstance(result, Ok), result
    order = result.value
    assert order.status == "pending" and [ln.variant_id for ln in order.lines] == [TEE_BLUE_M]
    assert order.total == D("20.00")
    assert "$15.00 is refunded to your Visa ending 4242" in order.outcome
    assert transactions(shop, "#S1000001") == [
        ("payment", ADA_CARD, D("35.00")),
        ("refund", ADA_CARD, D("15.00")),
    ]
    # The order can still be cancelled as a whole afterwards (for what is left).
    rest = service.preview("cancel", ADA, "#S1000001", "no longer needed")
    assert isinstance(rest, Ok) and rest.value.amount_delta == D("-20.00")


@pytest.mark.parametrize(
    ("customer", "order_id", "items", "code"),
    [
        (ADA, "#S1000002", [TEE_BLUE_M], RefusalCode.LAST_ITEM),  # its only item
        (ADA, "#S1000001", [TEE_BLUE_M, BOTTLE_500], RefusalCode.LAST_ITEM),  # every item
        (ADA, "#S1000004", [TEE_BLUE_M], RefusalCode.WRONG_STATUS),  # delivered
        (ADA, "#S1000003", [LAMP_BLACK], RefusalCode.WRONG_STATUS),  # processed
        (ADA, "#S1000006", [BOTTLE_500], RefusalCode.ALREADY_MODIFIED),  # items changed once
        (ADA, "#S1000001", [LAMP_BLACK], RefusalCode.ITEM_NOT_IN_ORDER),
        (ADA, "#S1000001", [], RefusalCode.NOTHING_SELECTED),
        (ALAN, "#S1000001", [BOTTLE_500], RefusalCode.NOT_YOUR_ORDER),
        ("", "#S1000001", [BOTTLE_500], RefusalCode.NOT_IDENTIFIED),
    ],
)
def test_refusals_change_nothing(
    service: OrderService,
    shop: Database,
    customer: str,
    order_id: str,
    items: list[str],
    code: RefusalCode,
) -> None:
    before = snapshot(shop)
    for run in (service.preview, service.change):
        result = run("cancel_item", customer, order_id, items)
        assert isinstance(result, Refused) and result.code == code, result
    assert snapshot(shop) == before


def test_the_last_item_offers_cancelling_the_order(service: OrderService) -> None:
    result = service.preview("cancel_item", ADA, "#S1000002", [TEE_BLUE_M])
    assert isinstance(result, Refused)
    assert "last item of order #S1000002" in result.message
    assert "cancel the order instead" in result.message
    assert BY_NAME["cancel_item"].offers[RefusalCode.LAST_ITEM][1] == "cancel"
