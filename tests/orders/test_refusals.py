"""Every refusal: the right code, friendly words, and not one row changed (nor by its preview)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from bot.db.session import Database
from bot.orders.policy import ShopPolicy
from bot.orders.results import Address, Ok, RefusalCode, Refused
from bot.orders.service import OrderService
from tests.orders.conftest import (
    ADA,
    ADA_CARD,
    ADA_GIFT,
    ADA_PAYPAL,
    ALAN,
    ALAN_CARD,
    ALAN_GIFT,
    BOTTLE_500,
    BOTTLE_1000,
    LAMP_BLACK,
    TEE_BLUE_L,
    TEE_BLUE_M,
    TEE_GREEN_L,
    TEE_RED_M,
    balance,
    snapshot,
)

GOOD_ADDRESS = Address(address1="5 Main St", city="Boston", state="MA", zip="02108")


@dataclass(frozen=True)
class Case:
    name: str
    action: str  # the task (bot/orders/tasks); its preview is checked too
    args: tuple[Any, ...]
    code: RefusalCode


CASES = [
    # cancel
    Case(
        "cancel delivered",
        "cancel",
        (ADA, "#S1000004", "no longer needed"),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "cancel processed",
        "cancel",
        (ADA, "#S1000003", "no longer needed"),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "cancel cancelled",
        "cancel",
        (ADA, "#S1000005", "no longer needed"),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "cancel bad reason",
        "cancel",
        (ADA, "#S1000001", "found it cheaper"),
        RefusalCode.INVALID_REASON,
    ),
    Case(
        "cancel items modified",
        "cancel",
        (ADA, "#S1000006", "no longer needed"),
        RefusalCode.ALREADY_MODIFIED,
    ),
    Case(
        "cancel other's order",
        "cancel",
        (ALAN, "#S1000001", "no longer needed"),
        RefusalCode.NOT_YOUR_ORDER,
    ),
    Case(
        "cancel unknown order",
        "cancel",
        (ADA, "#S7777777", "no longer needed"),
        RefusalCode.ORDER_NOT_FOUND,
    ),
    Case(
        "cancel not identified",
        "cancel",
        ("", "#S1000001", "no longer needed"),
        RefusalCode.NOT_IDENTIFIED,
    ),
    # modify items
    Case(
        "modify twice",
        "modify_items",
        (ADA, "#S1000006", {TEE_RED_M: TEE_BLUE_M}, ADA_CARD),
        RefusalCode.ALREADY_MODIFIED,
    ),
    Case(
        "modify delivered",
        "modify_items",
        (ADA, "#S1000004", {TEE_BLUE_M: TEE_RED_M}, ADA_CARD),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "modify into other product",
        "modify_items",
        (ADA, "#S1000001", {TEE_BLUE_M: BOTTLE_1000}, ADA_CARD),
        RefusalCode.DIFFERENT_PRODUCT,
    ),
    Case(
        "modify into unavailable",
        "modify_items",
        (ADA, "#S1000001", {TEE_BLUE_M: TEE_GREEN_L}, ADA_CARD),
        RefusalCode.VARIANT_UNAVAILABLE,
    ),
    Case(
        "modify into same",
        "modify_items",
        (ADA, "#S1000001", {TEE_BLUE_M: TEE_BLUE_M}, ADA_CARD),
        RefusalCode.SAME_VARIANT,
    ),
    Case(
        "modify unknown variant",
        "modify_items",
        (ADA, "#S1000001", {TEE_BLUE_M: "SB-V999999"}, ADA_CARD),
        RefusalCode.VARIANT_NOT_FOUND,
    ),
    Case(
        "modify item not in order",
        "modify_items",
        (ADA, "#S1000001", {LAMP_BLACK: LAMP_BLACK}, ADA_CARD),
        RefusalCode.ITEM_NOT_IN_ORDER,
    ),
    Case(
        "modify nothing",
        "modify_items",
        (ADA, "#S1000001", {}, ADA_CARD),
        RefusalCode.NOTHING_SELECTED,
    ),
    Case(
        "modify pay with other's card",
        "modify_items",
        (ADA, "#S1000001", {TEE_BLUE_M: TEE_RED_M}, ALAN_CARD),
        RefusalCode.PAYMENT_METHOD_NOT_OWNED,
    ),
    Case(
        "modify pay with unknown method",
        "modify_items",
        (ADA, "#S1000001", {TEE_BLUE_M: TEE_RED_M}, "credit_card_0000000"),
        RefusalCode.PAYMENT_METHOD_NOT_FOUND,
    ),
    Case(
        "modify other's order",
        "modify_items",
        (ADA, "#S2000001", {TEE_BLUE_M: TEE_RED_M}, ADA_CARD),
        RefusalCode.NOT_YOUR_ORDER,
    ),
    Case(
        "modify gift card too small",
        "modify_items",
        (ALAN, "#S2000001", {BOTTLE_500: BOTTLE_1000}, ALAN_GIFT),
        RefusalCode.INSUFFICIENT_BALANCE,
    ),
    # modify address
    Case(
        "address processed",
        "modify_address",
        (ADA, "#S1000003", GOOD_ADDRESS),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "address after item change",
        "modify_address",
        (ADA, "#S1000006", GOOD_ADDRESS),
        RefusalCode.ALREADY_MODIFIED,
    ),
    Case(
        "address no street",
        "modify_address",
        (ADA, "#S1000001", Address(" ", "Boston", "MA", "02108")),
        RefusalCode.INVALID_ADDRESS,
    ),
    Case(
        "address no city",
        "modify_address",
        (ADA, "#S1000001", Address("5 Main", "", "MA", "02108")),
        RefusalCode.INVALID_ADDRESS,
    ),
    Case(
        "address no state",
        "modify_address",
        (ADA, "#S1000001", Address("5 Main", "Boston", "", "02108")),
        RefusalCode.INVALID_ADDRESS,
    ),
    Case(
        "address bad zip",
        "modify_address",
        (ADA, "#S1000001", Address("5 Main", "Boston", "MA", "2108")),
        RefusalCode.INVALID_ADDRESS,
    ),
    Case(
        "address abroad",
        "modify_address",
        (ADA, "#S1000001", Address("5 Main", "Boston", "MA", "02108", country="France")),
        RefusalCode.INVALID_ADDRESS,
    ),
    Case(
        "address other's order",
        "modify_address",
        (ALAN, "#S1000001", GOOD_ADDRESS),
        RefusalCode.NOT_YOUR_ORDER,
    ),
    # modify payment
    Case(
        "payment same method",
        "modify_payment",
        (ADA, "#S1000001", ADA_CARD),
        RefusalCode.SAME_PAYMENT_METHOD,
    ),
    Case(
        "payment other's method",
        "modify_payment",
        (ADA, "#S1000001", ALAN_GIFT),
        RefusalCode.PAYMENT_METHOD_NOT_OWNED,
    ),
    Case(
        "payment gift card too small",
        "modify_payment",
        (ALAN, "#S2000001", ALAN_GIFT),
        RefusalCode.INSUFFICIENT_BALANCE,
    ),
    Case(
        "payment delivered",
        "modify_payment",
        (ADA, "#S1000004", ADA_PAYPAL),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "payment after item change",
        "modify_payment",
        (ADA, "#S1000006", ADA_PAYPAL),
        RefusalCode.ALREADY_MODIFIED,
    ),
    # return
    Case(
        "return pending",
        "return",
        (ADA, "#S1000001", [TEE_BLUE_M], ADA_CARD),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "return already requested",
        "return",
        (ADA, "#S1000008", [LAMP_BLACK], ADA_CARD),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "return to non-original card",
        "return",
        (ADA, "#S1000004", [TEE_BLUE_M], ADA_PAYPAL),
        RefusalCode.REFUND_METHOD_NOT_ALLOWED,
    ),
    Case(
        "return to other's gift card",
        "return",
        (ADA, "#S1000004", [TEE_BLUE_M], ALAN_GIFT),
        RefusalCode.PAYMENT_METHOD_NOT_OWNED,
    ),
    Case(
        "return item not in order",
        "return",
        (ADA, "#S1000004", [LAMP_BLACK], ADA_CARD),
        RefusalCode.ITEM_NOT_IN_ORDER,
    ),
    Case(
        "return more units than bought",
        "return",
        (ADA, "#S1000004", [TEE_BLUE_M, TEE_BLUE_M], ADA_CARD),
        RefusalCode.ITEM_NOT_IN_ORDER,
    ),
    Case(
        "return nothing",
        "return",
        (ADA, "#S1000004", [], ADA_CARD),
        RefusalCode.NOTHING_SELECTED,
    ),
    Case(
        "return other's order",
        "return",
        (ALAN, "#S1000004", [TEE_BLUE_M], ALAN_CARD),
        RefusalCode.NOT_YOUR_ORDER,
    ),
    # exchange
    Case(
        "exchange pending",
        "exchange",
        (ADA, "#S1000001", {TEE_BLUE_M: TEE_RED_M}, ADA_CARD),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "exchange into other product",
        "exchange",
        (ADA, "#S1000004", {TEE_BLUE_M: LAMP_BLACK}, ADA_CARD),
        RefusalCode.DIFFERENT_PRODUCT,
    ),
    Case(
        "exchange into unavailable",
        "exchange",
        (ADA, "#S1000004", {TEE_BLUE_M: TEE_GREEN_L}, ADA_CARD),
        RefusalCode.VARIANT_UNAVAILABLE,
    ),
    Case(
        "exchange into same",
        "exchange",
        (ADA, "#S1000004", {BOTTLE_1000: BOTTLE_1000}, ADA_CARD),
        RefusalCode.SAME_VARIANT,
    ),
    Case(
        "exchange pay with other's card",
        "exchange",
        (ADA, "#S1000004", {TEE_BLUE_M: TEE_RED_M}, ALAN_CARD),
        RefusalCode.PAYMENT_METHOD_NOT_OWNED,
    ),
    Case(
        "exchange gift card too small",
        "exchange",
        (ALAN, "#S2000002", {BOTTLE_500: BOTTLE_1000}, ALAN_GIFT),
        RefusalCode.INSUFFICIENT_BALANCE,
    ),
    Case(
        "exchange unknown refund method",
        "exchange",
        (ADA, "#S1000004", {BOTTLE_1000: BOTTLE_500}, "gift_card_0000000"),
        RefusalCode.PAYMENT_METHOD_NOT_FOUND,
    ),
    Case(
        "exchange already requested",
        "exchange",
        (ADA, "#S1000009", {BOTTLE_500: BOTTLE_1000}, ADA_PAYPAL),
        RefusalCode.WRONG_STATUS,
    ),
    Case(
        "exchange other's order",
        "exchange",
        (ALAN, "#S1000004", {TEE_BLUE_M: TEE_RED_M}, ALAN_CARD),
        RefusalCode.NOT_YOUR_ORDER,
    ),
    # default address
    Case(
        "default address bad zip",
        "default_address",
        (ADA, Address("5 Main", "Boston", "MA", "ABCDE")),
        RefusalCode.INVALID_ADDRESS,
    ),
    Case(
        "default address not identified",
        "default_address",
        ("", GOOD_ADDRESS),
        RefusalCode.NOT_IDENTIFIED,
    ),
    Case(
        "default address unknown customer",
        "default_address",
        ("ghost_0000", GOOD_ADDRESS),
        RefusalCode.CUSTOMER_NOT_FOUND,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_refusal_changes_nothing(case: Case, service: OrderService, shop: Database) -> None:
    before = snapshot(shop)
    preview = service.preview(case.action, *case.args)
    assert isinstance(preview, Refused) and preview.code == case.code, preview
    result = service.change(case.action, *case.args)
    assert isinstance(result, Refused), result
    assert result.code == case.code, result
    assert result.message.strip() and "Traceback" not in result.message
    assert "SB-P" not in result.message  # no internal product ids in shopper-facing words
    assert snapshot(shop) == before


def test_small_gift_card_may_receive_a_refund(service: OrderService, shop: Database) -> None:
    """Only a positive difference must be covered: a cheaper swap refunds into any gift card."""
    result = service.change("modify_items", ALAN, "#S2000001", {TEE_BLUE_M: TEE_BLUE_L}, ALAN_GIFT)
    assert isinstance(result, Ok), result
    assert balance(shop, ALAN_GIFT) == Decimal("6.25")


def test_gift_card_exactly_covering_the_difference(service: OrderService, shop: Database) -> None:
    # Ada's gift card (50.00) pays order 1 (35.00) -> 15.00 left; order 2's shirt swap (+2.50)
    # leaves 12.50; exchanging both shirts of order 7 costs 5.00: allowed (charged when the
    # old shirts arrive, so the balance stays 12.50 until then).
    assert isinstance(service.change("modify_payment", ADA, "#S1000001", ADA_GIFT), Ok)
    swap = {TEE_BLUE_M: TEE_RED_M}
    assert isinstance(service.change("modify_items", ADA, "#S1000002", swap, ADA_GIFT), Ok)
    result = service.change("exchange", ADA, "#S1000007", swap, ADA_GIFT)
    assert isinstance(result, Ok), result
    assert result.value.transactions[-1].amount == Decimal("5.00")
    assert balance(shop, ADA_GIFT) == Decimal("12.50")
    # A swap costing more than the balance is refused, naming both amounts, changing nothing.
    before = snapshot(shop)
    too_dear = service.change(
        "modify_items", ALAN, "#S2000001", {BOTTLE_500: BOTTLE_1000}, ALAN_GIFT
    )
    assert isinstance(too_dear, Refused) and too_dear.code == RefusalCode.INSUFFICIENT_BALANCE
    assert "$5.00" in too_dear.message and "$10.00" in too_dear.message
    assert snapshot(shop) == before


def test_returns_window_is_enforced_when_policy_says_so(shop: Database, policy: ShopPolicy) -> None:
    returns = policy.returns.model_copy(update={"enforce_window": True})
    exchanges = policy.exchanges.model_copy(update={"enforce_window": True})
    strict = OrderService(
        shop, policy.model_copy(update={"returns": returns, "exchanges": exchanges})
    )
    before = snapshot(shop)
    old = strict.change("return", ADA, "#S1000010", [BOTTLE_500], ADA_CARD)
    assert isinstance(old, Refused) and old.code == RefusalCode.WINDOW_CLOSED
    assert "30 days" in old.message
    old_x = strict.change("exchange", ADA, "#S1000010", {BOTTLE_500: BOTTLE_1000}, ADA_CARD)
    assert isinstance(old_x, Refused) and old_x.code == RefusalCode.WINDOW_CLOSED
    assert snapshot(shop) == before
    # A recent order is still inside the window; the default policy does not enforce it.
    assert isinstance(strict.change("return", ADA, "#S1000004", [TEE_BLUE_M], ADA_CARD), Ok)
    lenient = OrderService(shop, policy)
    assert isinstance(lenient.change("return", ADA, "#S1000010", [BOTTLE_500], ADA_CARD), Ok)


def test_second_item_change_is_refused_after_the_first(
    service: OrderService, shop: Database
) -> None:
    first = service.change("modify_items", ADA, "#S1000001", {TEE_BLUE_M: TEE_BLUE_L}, ADA_CARD)
    assert isinstance(first, Ok)
    before = snapshot(shop)
    second = service.change("modify_items", ADA, "#S1000001", {BOTTLE_500: BOTTLE_1000}, ADA_CARD)
    assert isinstance(second, Refused) and second.code == RefusalCode.ALREADY_MODIFIED
    cancel = service.change("cancel", ADA, "#S1000001", "no longer needed")
    assert isinstance(cancel, Refused) and cancel.code == RefusalCode.ALREADY_MODIFIED
    assert snapshot(shop) == before


def test_database_error_is_a_refusal_not_a_traceback(
    service: OrderService, shop: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with shop.engine.begin() as conn:
        conn.execute(text("DROP TABLE transactions"))
    result = service.change("cancel", ADA, "#S1000001", "no longer needed")
    assert isinstance(result, Refused) and result.code == RefusalCode.DATABASE_ERROR
    assert "nothing was changed" in result.message
    assert any(r.levelname == "ERROR" for r in caplog.records)
    with shop.session() as s:  # the order row was not changed either
        assert s.execute(text("SELECT status FROM orders WHERE id='#S1000001'")).scalar() == (
            "pending"
        )
    lookup = service.order_details(ADA, "#S1000001")
    assert isinstance(lookup, Refused) and lookup.code == RefusalCode.DATABASE_ERROR


def test_payment_kind_not_accepted_by_policy(shop: Database, policy: ShopPolicy) -> None:
    rules = policy.payment_methods.model_copy(update={"accepted": ("credit_card", "gift_card")})
    service = OrderService(shop, policy.model_copy(update={"payment_methods": rules}))
    before = snapshot(shop)
    result = service.change("modify_payment", ADA, "#S1000001", ADA_PAYPAL)
    assert isinstance(result, Refused) and result.code == RefusalCode.PAYMENT_METHOD_NOT_ACCEPTED
    assert "PayPal" in result.message
    assert snapshot(shop) == before
    assert isinstance(service.change("modify_payment", ADA, "#S1000001", ADA_GIFT), Ok)
