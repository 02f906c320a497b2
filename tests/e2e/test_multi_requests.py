"""Several requests in one message, and who the shopper is in the first one (real stack, REST).

Issue 16, item 2: "cancel #A because X, and also cancel #B because Y" cancels both, each with
its own reason (the second reason was used for the first), and the bot says first what it
will do; a request and a question are both handled, in order. Item 1: name + ZIP given with
the request are verified at once (the bot asked for an e-mail instead).
"""

from __future__ import annotations

import pytest

from bot.db.session import Database
from tests.e2e import shop
from tests.e2e.chat import Shopper

pytestmark = pytest.mark.e2e


def test_two_cancellations_in_one_message(shopper: Shopper, shop_db: Database) -> None:
    customer, (first, second) = shop.customer_with_pending_orders(shop_db, 2, newest_first=True)
    reply = shopper.say(
        f"Hi, my email is {customer.email}. I'd like to cancel order {first} because I "
        f"ordered it by mistake, and also cancel order {second} because I no longer need it."
    )
    assert "2 requests" in reply and reply.index(first) < reply.index(second)
    assert "go ahead" in reply.lower() and "ordered by mistake" in reply.lower()
    reply = shopper.say("yes")
    assert shop.order(shop_db, first).status == "cancelled"
    assert shop.order(shop_db, first).cancel_reason == "ordered by mistake"
    assert f"Next: Cancel an order (order {second})" in reply
    assert "go ahead" in reply.lower()  # the second preview, without asking anything again
    assert shop.order(shop_db, second).status == "pending"  # nothing before its own yes
    shopper.say("yes")
    assert shop.order(shop_db, second).status == "cancelled"
    assert shop.order(shop_db, second).cancel_reason == "no longer needed"


def test_a_request_and_a_question(shopper: Shopper, shop_db: Database) -> None:
    customer, (order_id,) = shop.customer_with_pending_orders(shop_db, 1, skip=1, newest_first=True)
    reply = shopper.say(
        f"Hello, my email is {customer.email}. I want to cancel order {order_id}, I no "
        "longer need it. Also, how long does delivery take?"
    )
    assert "2 requests" in reply and "go ahead" in reply.lower()  # the cancellation first
    reply = shopper.say("yes")
    assert shop.order(shop_db, order_id).status == "cancelled"
    assert "Next: How long delivery takes" in reply
    after = reply[reply.index("Next: How long delivery takes") :]
    assert "business day" in after  # and the answer follows, from the policy passages


def test_name_and_zip_with_the_request_are_verified_at_once(
    shopper: Shopper, shop_db: Database
) -> None:
    customer, (order_id,) = shop.customer_with_pending_orders(shop_db, 1, skip=2, newest_first=True)
    reply = shopper.say(
        f"Hi, I'm {customer.first_name} {customer.last_name} and my zip code is "
        f"{customer.zip}. Where is my order {order_id}?"
    )
    assert "email" not in reply.lower()
    assert order_id in reply and customer.first_name in reply
