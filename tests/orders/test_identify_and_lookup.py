"""Identification and read-only look-ups: only the verified shopper's own data comes back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.db.session import Database
from bot.orders.ids import normalise_order_id
from bot.orders.policy import ShopPolicy
from bot.orders.results import Ok, RefusalCode, Refused
from bot.orders.service import OrderService
from tests.orders.conftest import ADA, ADA_CARD, ADA_GIFT, ALAN, BOTTLE_1000, TEE_BLUE_M


def ok(result):  # type: ignore[no-untyped-def]
    assert isinstance(result, Ok), result
    return result.value


def refused(result, code: RefusalCode) -> Refused:  # type: ignore[no-untyped-def]
    assert isinstance(result, Refused), result
    assert result.code == code, result
    assert result.message and "Traceback" not in result.message
    return result


@pytest.mark.parametrize("raw", ["w2611340", "#W2611340", "  #w2611340 "])
def test_order_ids_are_normalised(raw: str) -> None:
    assert normalise_order_id(raw) == "#W2611340"


def test_identify_by_email_ignores_case_and_spaces(service: OrderService) -> None:
    customer = ok(service.identify_by_email("  ada.LOVELACE@example.com "))
    assert customer.id == ADA and customer.name == "Ada Lovelace"
    assert customer.address.zip == "10001"
    methods = {m.id: m for m in customer.payment_methods}
    assert methods[ADA_GIFT].balance == Decimal("50.00")
    assert methods[ADA_CARD].label == "Visa ending 4242"
    refused(service.identify_by_email("nobody@example.com"), RefusalCode.CUSTOMER_NOT_FOUND)
    refused(service.identify_by_email("   "), RefusalCode.CUSTOMER_NOT_FOUND)


def test_identify_by_name_and_zip(service: OrderService) -> None:
    assert ok(service.identify_by_name_zip(" ada", "LOVELACE ", " 10001")).id == ADA
    refused(
        service.identify_by_name_zip("Ada", "Lovelace", "94103"), RefusalCode.CUSTOMER_NOT_FOUND
    )
    refused(service.identify_by_name_zip("John", "Smith", "30301"), RefusalCode.AMBIGUOUS_CUSTOMER)


def test_strict_identification(shop: Database, policy: ShopPolicy) -> None:
    rules = policy.identification.model_copy(update={"mode": "strict"})
    strict = OrderService(shop, policy.model_copy(update={"identification": rules}))
    refused(strict.identify_by_email("alan@example.com"), RefusalCode.NOT_IDENTIFIED)
    refused(strict.identify_by_name_zip("Alan", "Turing", "94103"), RefusalCode.NOT_IDENTIFIED)
    assert ok(strict.identify_strict("ALAN@example.com", "94103")).id == ALAN
    assert ok(strict.identify_strict("alan@example.com", "s2000001")).id == ALAN
    # Someone else's order, a wrong zip and an unknown email all get the same answer.
    attempts = [
        ("alan@example.com", "#S1000001"),
        ("alan@example.com", "10001"),
        ("who@example.com", "94103"),
        ("alan@example.com", ""),
    ]
    answers = {
        refused(strict.identify_strict(email, proof), RefusalCode.CUSTOMER_NOT_FOUND).message
        for email, proof in attempts
    }
    assert len(answers) == 1


def test_get_customer(service: OrderService) -> None:
    assert ok(service.get_customer(ALAN)).email == "alan@example.com"
    refused(service.get_customer(""), RefusalCode.NOT_IDENTIFIED)
    refused(service.get_customer("ghost_0000"), RefusalCode.CUSTOMER_NOT_FOUND)


def test_list_orders_only_mine(service: OrderService) -> None:
    orders = ok(service.list_orders(ALAN))
    assert [(o.id, o.status, o.total, o.item_count) for o in orders] == [
        ("#S2000001", "pending", Decimal("35.00"), 2),
        ("#S2000002", "delivered", Decimal("15.00"), 1),
    ]
    assert len(ok(service.list_orders(ADA))) == 10
    refused(service.list_orders(""), RefusalCode.NOT_IDENTIFIED)


def test_order_details(service: OrderService) -> None:
    order = ok(service.order_details(ADA, "s1000004"))
    assert order.id == "#S1000004" and order.status == "delivered"
    assert order.tracking_ids == ("1Z999AA10123456784",)
    assert [ln.variant_id for ln in order.lines] == [TEE_BLUE_M, BOTTLE_1000]
    assert order.lines[0].describe() == "T-Shirt (color blue, size M)"
    assert order.total == Decimal("45.00")
    assert [(t.kind, t.amount, t.payment_method_id) for t in order.transactions] == [
        ("payment", Decimal("45.00"), ADA_CARD)
    ]
    assert order.address.one_line() == "1 Analytical Way, London, NY 10001, USA"


def test_someone_elses_order_reveals_nothing(service: OrderService) -> None:
    theirs = refused(service.order_details(ALAN, "#S1000004"), RefusalCode.NOT_YOUR_ORDER)
    unknown = refused(service.order_details(ALAN, "#S9999999"), RefusalCode.ORDER_NOT_FOUND)
    # Same words apart from the number the shopper typed: no status, items or owner.
    assert theirs.message.replace("#S1000004", "#X") == unknown.message.replace("#S9999999", "#X")
    for secret in ("delivered", "Lovelace", "45", "T-Shirt"):
        assert secret not in theirs.message
    refused(service.order_details(ALAN, "not an order"), RefusalCode.ORDER_NOT_FOUND)
    refused(service.order_details("", "#S2000001"), RefusalCode.NOT_IDENTIFIED)
