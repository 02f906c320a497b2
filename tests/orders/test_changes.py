"""Every order change that the policy allows: rows, exact money movements, previews, words."""

from __future__ import annotations

from decimal import Decimal

from bot.db.session import Database
from bot.orders.policy import ShopPolicy
from bot.orders.results import Address, ChangePreview, Ok
from bot.orders.service import OrderService
from tests.orders.conftest import (
    ADA,
    ADA_CARD,
    ADA_GIFT,
    ADA_PAYPAL,
    BOTTLE_500,
    BOTTLE_1000,
    TEE_BLUE_L,
    TEE_BLUE_M,
    TEE_RED_M,
    balance,
    snapshot,
    transactions,
)

D = Decimal


def ok(result):  # type: ignore[no-untyped-def]
    assert isinstance(result, Ok), result
    return result.value


def test_cancel_card_order_refunds_the_card(service: OrderService, shop: Database) -> None:
    preview: ChangePreview = ok(service.preview("cancel", ADA, "#S1000001", "No longer needed"))
    assert preview.action == "cancel" and preview.order_id == "#S1000001"
    assert preview.amount_delta == D("-35.00")
    assert "T-Shirt (color blue, size M)" in preview.summary
    assert "Water Bottle (capacity 500ml)" in preview.summary
    assert "$35.00 will be refunded to your Visa ending 4242" in preview.summary
    assert "5 to 7 business days" in preview.summary
    assert snapshot(shop)["orders"]["#S1000001"][0] == "pending"  # a preview changes nothing

    order = ok(service.change("cancel", ADA, "s1000001", "  no longer NEEDED "))
    assert order.status == "cancelled"
    assert "$35.00 is refunded to your Visa ending 4242" in order.outcome
    assert "5 to 7 business days" in order.outcome
    assert transactions(shop, "#S1000001") == [
        ("payment", ADA_CARD, D("35.00")),
        ("refund", ADA_CARD, D("35.00")),
    ]
    assert snapshot(shop)["orders"]["#S1000001"][2] == "no longer needed"
    assert balance(shop, ADA_GIFT) == D("50.00")


def test_cancel_gift_card_order_restores_balance_at_once(
    service: OrderService, shop: Database
) -> None:
    preview = ok(service.preview("cancel", ADA, "#S1000002", "ordered by mistake"))
    assert "gift card (balance then $70.00)" in preview.summary
    order = ok(service.change("cancel", ADA, "#S1000002", "ordered by mistake"))
    assert balance(shop, ADA_GIFT) == D("70.00")
    assert isinstance(balance(shop, ADA_GIFT), Decimal)
    assert "gift card (balance now $70.00)" in order.outcome
    assert "immediately" in order.outcome
    assert order.transactions[-1].kind == "refund"
    assert order.transactions[-1].amount == D("20.00")


def test_cancellation_fee_from_policy_is_kept(shop: Database, policy: ShopPolicy) -> None:
    rules = policy.cancellation.model_copy(update={"fee": D("2.50")})
    service = OrderService(shop, policy.model_copy(update={"cancellation": rules}))
    preview = ok(service.preview("cancel", ADA, "#S1000001", "ordered by mistake"))
    assert preview.amount_delta == D("-32.50")
    assert "fee of $2.50" in preview.summary
    ok(service.change("cancel", ADA, "#S1000001", "ordered by mistake"))
    assert transactions(shop, "#S1000001")[-1] == ("refund", ADA_CARD, D("32.50"))


def test_modify_items_cheaper_variant_refunds_difference(
    service: OrderService, shop: Database
) -> None:
    changes = {TEE_BLUE_M: TEE_BLUE_L, BOTTLE_500: BOTTLE_1000}  # -1.25 + 10.00 = +8.75
    preview = ok(service.preview("modify_items", ADA, "#S1000001", changes, ADA_GIFT))
    assert preview.amount_delta == D("8.75")
    assert (
        "T-Shirt (color blue, size M) at $20.00 → T-Shirt (color blue, size L)" in preview.summary
    )
    assert "$8.75 will be charged to your gift card (balance then $41.25)" in preview.summary
    assert "only once" in preview.summary

    order = ok(service.change("modify_items", ADA, "#S1000001", changes, ADA_GIFT))
    assert order.status == "pending" and order.items_modified
    assert [(ln.variant_id, ln.price) for ln in order.lines] == [
        (TEE_BLUE_L, D("18.75")),
        (BOTTLE_1000, D("25.00")),
    ]
    assert order.lines[0].options == {"color": "blue", "size": "L"}
    assert order.total == D("43.75")
    assert balance(shop, ADA_GIFT) == D("41.25")
    assert transactions(shop, "#S1000001")[-1] == ("payment", ADA_GIFT, D("8.75"))
    assert "$8.75 was charged to your gift card (balance now $41.25)" in order.outcome


def test_modify_items_refund_goes_to_chosen_card(service: OrderService, shop: Database) -> None:
    preview = ok(
        service.preview("modify_items", ADA, "#S1000001", {TEE_BLUE_M: TEE_BLUE_L}, ADA_PAYPAL)
    )
    assert preview.amount_delta == D("-1.25")
    order = ok(
        service.change("modify_items", ADA, "#S1000001", {TEE_BLUE_M: TEE_BLUE_L}, ADA_PAYPAL)
    )
    assert transactions(shop, "#S1000001")[-1] == ("refund", ADA_PAYPAL, D("1.25"))
    assert "$1.25 is refunded to your PayPal" in order.outcome


def test_modify_items_of_gift_card_order_charges_the_gift_card(
    service: OrderService, shop: Database
) -> None:
    order = ok(service.change("modify_items", ADA, "#S1000002", {TEE_BLUE_M: TEE_RED_M}, ADA_GIFT))
    assert balance(shop, ADA_GIFT) == D("47.50")  # paid 2.50 more from the gift card
    assert order.total == D("22.50")


def test_modify_address(service: OrderService, shop: Database) -> None:
    new = Address(address1=" 5 Main St ", city="Boston", state="MA", zip="02108")
    preview = ok(service.preview("modify_address", ADA, "#S1000001", new))
    assert "5 Main St, Boston, MA 02108, USA" in preview.summary
    assert "1 Analytical Way" in preview.summary and preview.amount_delta == 0
    order = ok(service.change("modify_address", ADA, "#S1000001", new))
    assert order.address == Address(address1="5 Main St", city="Boston", state="MA", zip="02108")
    assert transactions(shop, "#S1000001") == [("payment", ADA_CARD, D("35.00"))]
    assert "Nothing was charged" in order.outcome


def test_modify_payment_card_to_gift_card(service: OrderService, shop: Database) -> None:
    preview = ok(service.preview("modify_payment", ADA, "#S1000001", ADA_GIFT))
    assert "$35.00 will be refunded to your Visa ending 4242" in preview.summary
    assert "$35.00 will be charged to your gift card (balance then $15.00)" in preview.summary
    order = ok(service.change("modify_payment", ADA, "#S1000001", ADA_GIFT))
    assert order.status == "pending"
    assert transactions(shop, "#S1000001") == [
        ("payment", ADA_CARD, D("35.00")),
        ("refund", ADA_CARD, D("35.00")),
        ("payment", ADA_GIFT, D("35.00")),
    ]
    assert balance(shop, ADA_GIFT) == D("15.00")


def test_modify_payment_gift_card_refunded_immediately(
    service: OrderService, shop: Database
) -> None:
    order = ok(service.change("modify_payment", ADA, "#S1000002", ADA_PAYPAL))
    assert balance(shop, ADA_GIFT) == D("70.00")
    assert "$20.00 is refunded to your gift card (balance now $70.00)" in order.outcome
    assert "immediately" in order.outcome
    assert transactions(shop, "#S1000002")[-1] == ("payment", ADA_PAYPAL, D("20.00"))


def test_return_to_original_card(service: OrderService, shop: Database) -> None:
    preview = ok(service.preview("return", ADA, "#S1000004", [BOTTLE_1000], ADA_CARD))
    assert preview.amount_delta == D("-25.00")
    assert "Water Bottle (capacity 1000ml)" in preview.summary
    order = ok(service.change("return", ADA, "#S1000004", [BOTTLE_1000], ADA_CARD))
    assert order.status == "return requested"
    assert [(ln.variant_id, ln.return_requested) for ln in order.lines] == [
        (TEE_BLUE_M, False),
        (BOTTLE_1000, True),
    ]
    assert transactions(shop, "#S1000004")[-1] == ("refund", ADA_CARD, D("25.00"))
    assert "5 to 7 business days" in order.outcome and "email" in order.outcome


def test_return_to_existing_gift_card_and_repeated_units(
    service: OrderService, shop: Database
) -> None:
    # Order 7 has two identical shirts; returning both lists the variant twice.
    order = ok(service.change("return", ADA, "#S1000004", [TEE_BLUE_M, BOTTLE_1000], ADA_GIFT))
    assert all(ln.return_requested for ln in order.lines)
    assert transactions(shop, "#S1000004")[-1] == ("refund", ADA_GIFT, D("45.00"))
    # The refund is booked; the gift card is credited when the items arrive, not now (a return
    # request is no money to spend: the τ policy, and what keeps returns from paying twice).
    assert balance(shop, ADA_GIFT) == D("50.00")
    assert "once the items you send back arrive, available immediately" in order.outcome
    assert "balance" not in order.outcome
    order7 = ok(service.change("return", ADA, "#S1000007", [TEE_BLUE_M, TEE_BLUE_M], ADA_GIFT))
    assert [ln.return_requested for ln in order7.lines] == [True, True]
    assert balance(shop, ADA_GIFT) == D("50.00")


def test_exchange_pays_difference_and_marks_lines(service: OrderService, shop: Database) -> None:
    changes = {TEE_BLUE_M: TEE_RED_M, BOTTLE_1000: BOTTLE_500}  # +2.50 - 10.00 = -7.50
    preview = ok(service.preview("exchange", ADA, "#S1000004", changes, ADA_CARD))
    assert preview.amount_delta == D("-7.50")
    assert "$7.50 will be refunded to your Visa ending 4242" in preview.summary
    order = ok(service.change("exchange", ADA, "#S1000004", changes, ADA_CARD))
    assert order.status == "exchange requested"
    assert [(ln.variant_id, ln.exchange_variant_id) for ln in order.lines] == [
        (TEE_BLUE_M, TEE_RED_M),
        (BOTTLE_1000, BOTTLE_500),
    ]
    assert transactions(shop, "#S1000004")[-1] == ("refund", ADA_CARD, D("7.50"))


def test_exchange_all_units_of_a_variant_charged_to_gift_card(
    service: OrderService, shop: Database
) -> None:
    order = ok(service.change("exchange", ADA, "#S1000007", {TEE_BLUE_M: TEE_RED_M}, ADA_GIFT))
    assert [ln.exchange_variant_id for ln in order.lines] == [TEE_RED_M, TEE_RED_M]
    # 2 × 2.50 booked against the gift card, charged when the old shirts arrive
    assert transactions(shop, "#S1000007")[-1] == ("payment", ADA_GIFT, D("5.00"))
    assert balance(shop, ADA_GIFT) == D("50.00")
    assert "$5.00 will be charged to your gift card once the items you send back arrive" in (
        order.outcome
    )


def test_exchange_per_unit_pairs_change_one_of_two_identical_lines(
    service: OrderService, shop: Database
) -> None:
    """The dialogue's item slots are per unit: "the shirt" of an order with two identical
    shirts is one pair, and only one line changes (a mapping would change both)."""
    one = ((TEE_BLUE_M, TEE_RED_M),)
    preview = ok(service.preview("exchange", ADA, "#S1000007", one, ADA_GIFT))
    assert preview.amount_delta == D("2.50") and preview.summary.count("T-Shirt") == 2
    order = ok(service.change("exchange", ADA, "#S1000007", one, ADA_GIFT))
    assert sorted(ln.exchange_variant_id or "-" for ln in order.lines) == ["-", TEE_RED_M]
    assert transactions(shop, "#S1000007")[-1] == ("payment", ADA_GIFT, D("2.50"))


def test_exchange_the_same_unit_pair_twice_changes_both_identical_lines(
    service: OrderService,
) -> None:
    both = ((TEE_BLUE_M, TEE_RED_M), (TEE_BLUE_M, TEE_RED_M))
    order = ok(service.change("exchange", ADA, "#S1000007", both, ADA_GIFT))
    assert [ln.exchange_variant_id for ln in order.lines] == [TEE_RED_M, TEE_RED_M]
    three = both + ((TEE_BLUE_M, TEE_RED_M),)  # more units than the order has
    assert not isinstance(service.preview("exchange", ADA, "#S1000007", three, ADA_GIFT), Ok)


def test_change_default_address(service: OrderService, shop: Database) -> None:
    new = Address(address1="10 Downing St", city="Albany", state="NY", zip="12207-1234")
    preview = ok(service.preview("default_address", ADA, new))
    assert preview.action == "change_default_address" and "10 Downing St" in preview.summary
    customer = ok(service.change("default_address", ADA, new))
    assert customer.address.zip == "12207-1234" and customer.address.city == "Albany"
    assert snapshot(shop)["customers"][ADA] == ("10 Downing St", "Albany", "NY", "12207-1234")
    # Orders keep their own address.
    assert snapshot(shop)["orders"]["#S1000001"][3][0] == "1 Analytical Way"


def test_preview_matches_the_change_for_every_action(service: OrderService) -> None:
    """The preview's money delta equals the net money movement of the change itself."""
    cases = [
        ("cancel", (ADA, "#S1000001", "no longer needed")),
        ("modify_items", (ADA, "#S1000002", {TEE_BLUE_M: TEE_BLUE_L}, ADA_CARD)),
        ("return", (ADA, "#S1000004", [TEE_BLUE_M], ADA_CARD)),
        ("exchange", (ADA, "#S1000007", {TEE_BLUE_M: TEE_BLUE_L}, ADA_PAYPAL)),
    ]
    for action, args in cases:
        preview = ok(service.preview(action, *args))
        before = len(ok(service.order_details(ADA, args[1])).transactions)
        order = ok(service.change(action, *args))
        new = order.transactions[before:]
        net = sum((t.amount if t.kind == "payment" else -t.amount for t in new), D("0.00"))
        assert preview.action == action
        assert net == preview.amount_delta, (action, new, preview)


def test_a_shop_that_settles_returns_at_the_request_credits_the_gift_card_at_once(
    shop: Database, policy: ShopPolicy
) -> None:
    refunds = policy.refunds.model_copy(update={"returns_settle_on_receipt": False})
    service = OrderService(shop, policy.model_copy(update={"refunds": refunds}))
    order = ok(service.change("return", ADA, "#S1000004", [TEE_BLUE_M, BOTTLE_1000], ADA_GIFT))
    assert balance(shop, ADA_GIFT) == D("95.00")
    assert "gift card (balance now $95.00), available immediately" in order.outcome
