"""A way to pay that can't cover the change is refused when it is named, not at the preview.

Held-out train 200-299: "My gift card" answered "Which payment method should pay the price
difference?" and the preview then said "Your gift card has $36.00 left, which doesn't cover
$40.62. Please choose another payment method." while the form waited for a yes or no.
"""

from __future__ import annotations

from bot.db.session import Database
from bot.dialogue.conversation import ShopConversation
from bot.orders.policy import load_policy
from tests.orders.conftest import ALAN, ALAN_CARD, ALAN_GIFT, BOTTLE_500, BOTTLE_1000, build_shop


def test_a_gift_card_short_of_the_difference_is_refused_with_the_reason(db: Database) -> None:
    build_shop(db)
    conversation = ShopConversation(db, load_policy())
    slots = {
        "customer_id": ALAN,
        "order_id": "#S2000001",  # pending; 500ml -> 1000ml costs 10.00 more
        "item_ids": [BOTTLE_500],
        "new_item_ids": [BOTTLE_1000],
    }
    short = conversation.payment_refusal("modify_items", {**slots, "payment_method_id": ALAN_GIFT})
    assert short is not None and "$5.00" in short and "$10.00" in short
    assert (
        conversation.payment_refusal("modify_items", {**slots, "payment_method_id": ALAN_CARD})
        is None
    )
    # Named in the request itself ("… paid with my gift card"): not taken, so it is asked.
    found = conversation.fill_from_request(
        ALAN, "#S2000001", "modify_items", "pay the difference with my gift card",
        ["payment_method_id"], slots,
    )  # fmt: skip
    assert found == {}
