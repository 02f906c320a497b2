"""Chinese shoppers the way people type (issue 20; real stack over REST, the τ shop).

The Chinese equivalents of the English "details given early", "two requests" and typo tests:
who the shopper is, the order and the request in the first message; two requests in one
message; an order corrected at the confirmation; a change of mind from an exchange to a
return; typos and homophones; a policy question in the middle of a task; a new colour said at
the item-change form's options question (read as an exchange by the model). Each conversation
uses real τ customers and orders that no other end-to-end module changes, checks that they are
untouched first, and asserts the database after the "yes". Every reply must be Chinese.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.db.session import Database
from tests.e2e import shop
from tests.e2e.zh import ChineseShopper, says, zh

pytestmark = pytest.mark.e2e


@pytest.fixture
def shopper(running_stack: Any) -> ChineseShopper:
    return ChineseShopper.on(running_stack, "zh")


def _untouched(db: Database, order_id: str, status: str) -> None:
    order = shop.order(db, order_id)
    assert order.status == status and not order.items_modified, order_id
    assert not any(ln.return_requested or ln.exchange_variant_id for ln in order.lines)


def test_who_which_order_and_what_in_the_first_message(
    shopper: ChineseShopper, shop_db: Database
) -> None:
    """τ task 0's shopper, in Chinese: name, 邮编, order and the swap in one message."""
    _untouched(shop_db, "#W2378156", "delivered")
    reply = shopper.say("我是 Yusuf Rossi，邮编 19122，订单 #W2378156 的机械键盘想换成 clicky 的")
    assert "Yusuf" in reply, shopper.transcript()
    # clicky, RGB and full size is sold out: which backlight of the clicky full-size ones
    slots = shopper.slots()
    assert slots["item_ids"] == ["1151293680"], shopper.transcript()
    reply = shopper.say("那就白色背光的吧")
    reply = shopper.say("用信用卡") if "2478" not in reply or "换货" not in reply else reply
    assert says(reply, "exchange.preview") and "#W2378156" in reply, shopper.transcript()
    reply = shopper.say("确认")
    assert says(reply, "exchange.done"), shopper.transcript()
    keyboard = next(
        ln for ln in shop.order(shop_db, "#W2378156").lines if ln.name.endswith("Keyboard")
    )
    assert keyboard.exchange_variant_id == "6342039236"  # clicky, white, full size


def test_two_requests_in_one_message(shopper: ChineseShopper, shop_db: Database) -> None:
    _untouched(shop_db, "#W1654931", "pending")
    reply = shopper.say(
        "你好，我是 Liam Thomas，邮编 85049。先帮我取消订单 #W1654931，拍错了，"
        "再查一下订单 #W6231698 到哪了"
    )
    assert says(reply, "requests.plan"), shopper.transcript()
    assert says(reply, "cancel.preview") and "#W1654931" in reply, shopper.transcript()
    reply = shopper.say("确认")
    after = shop.order(shop_db, "#W1654931")
    assert after.status == "cancelled" and after.cancel_reason == "ordered by mistake"
    assert says(reply, "requests.next") and "#W6231698" in reply, shopper.transcript()
    assert zh("order.status_is.processed") in reply, (
        shopper.transcript()
    )  # the second one, answered
    assert shop.order(shop_db, "#W6231698").status == "processed"


def test_an_order_corrected_at_the_confirmation(shopper: ChineseShopper, shop_db: Database) -> None:
    wrong, meant = "#W2090453", "#W3168895"
    _untouched(shop_db, wrong, "pending")
    _untouched(shop_db, meant, "pending")
    shopper.say("你好，我叫 Olivia Jackson，邮编 95119")
    reply = shopper.say(f"我要取消订单 {wrong}，不需要了")
    assert says(reply, "cancel.preview") and wrong in reply, shopper.transcript()
    reply = shopper.say(f"不对，是 {meant}，不是 {wrong}")
    assert says(reply, "cancel.preview") and meant in reply, shopper.transcript()
    reply = shopper.say("对，确认取消")
    assert says(reply, "cancel.done"), shopper.transcript()
    assert shop.order(shop_db, meant).status == "cancelled"
    assert shop.order(shop_db, wrong).status == "pending"


def test_changing_ones_mind_from_an_exchange_to_a_return(
    shopper: ChineseShopper, shop_db: Database
) -> None:
    order_id = "#W3445693"
    _untouched(shop_db, order_id, "delivered")
    shopper.say("我想换货")
    shopper.say("Noah Ito，邮编 98187")
    reply = shopper.say(f"订单 {order_id}")
    assert "Sneakers" in reply, shopper.transcript()
    reply = shopper.say("Sneakers 那双")
    assert says(reply, "items.ask_new"), shopper.transcript()
    reply = shopper.say("算了不换了，直接退货吧")
    reply = shopper.say("退回原来的信用卡") if not says(reply, "return.preview") else reply
    assert says(reply, "return.preview") and order_id in reply, shopper.transcript()
    shopper.say("好的")
    lines = {ln.name: ln for ln in shop.order(shop_db, order_id).lines}
    assert lines["Sneakers"].return_requested and not lines["Sneakers"].exchange_variant_id
    assert not lines["Cycling Helmet"].return_requested


def test_typos_and_homophones(shopper: ChineseShopper, shop_db: Database) -> None:
    """到那了 for 到哪了, 邮遍 for 邮编, an order number without its # in lower case."""
    reply = shopper.say("你好，我的订单到那了")
    assert says(reply, "identify.ask.email"), shopper.transcript()
    reply = shopper.say("mason lopez 邮遍10257")
    assert "Mason" in reply, shopper.transcript()
    reply = shopper.say("w9222585")
    assert "#W9222585" in reply and zh("order.status_is.pending") in reply, shopper.transcript()


def test_a_policy_question_in_the_middle_of_a_return(
    shopper: ChineseShopper, shop_db: Database
) -> None:
    order_id = "#W6289770"
    _untouched(shop_db, order_id, "delivered")
    shopper.say("你好，我是 Lei Li，邮编 85033")
    reply = shopper.say(f"订单 {order_id} 里的 Water Bottle 想退掉")
    reply = shopper.say("退货要多久？")
    assert "工作日" in reply, shopper.transcript()  # answered from the policy
    assert shopper.slots()["requested_slot"] == "payment_method_id", shopper.transcript()
    reply = shopper.say("退到原支付方式")
    assert says(reply, "return.preview") and order_id in reply, shopper.transcript()
    shopper.say("确认")
    lines = {ln.name: ln for ln in shop.order(shop_db, order_id).lines}
    assert lines["Water Bottle"].return_requested
    assert not lines["Grill"].return_requested


def test_a_new_colour_at_the_item_change_question(
    shopper: ChineseShopper, shop_db: Database
) -> None:
    """ "换成蓝色的" at "what would you like instead?" is read as an exchange by the model;
    it answers the question, the modification goes on."""
    order_id = "#W4296426"
    _untouched(shop_db, order_id, "pending")
    shopper.say("我下的单还没发货，想换个颜色")
    shopper.say("Chen Brown，邮编 95190")
    reply = shopper.say(f"订单 {order_id}")
    if not says(reply, "items.ask_new"):
        reply = shopper.say("Water Bottle")
    assert says(reply, "items.ask_new"), shopper.transcript()
    reply = shopper.say("换成蓝色的")
    assert shopper.slots()["new_item_ids"] == ["7843064651"], shopper.transcript()
    reply = shopper.say("用礼品卡") if not says(reply, "modify_items.preview") else reply
    assert says(reply, "modify_items.preview") and order_id in reply, shopper.transcript()
    shopper.say("确认")
    after = shop.order(shop_db, order_id)
    assert after.items_modified and [ln.variant_id for ln in after.lines] == ["7843064651"]
