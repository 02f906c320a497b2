"""Order forms end to end at the action level: validate, preview, confirm, change the DB."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from actions.asks import (
    ActionAskConfirmed,
    ActionAskItemIds,
    ActionAskNewItemIds,
    ActionAskOrderId,
)
from actions.conversation import ActionOtherOrderStatus
from actions.forms import (
    ValidateCancelForm,
    ValidateDefaultAddressForm,
    ValidateExchangeForm,
    ValidateModifyAddressForm,
    ValidateModifyPaymentForm,
    ValidateOrderStatusForm,
    ValidateReturnForm,
)
from actions.tasks import (
    ActionCancelOrder,
    ActionChangeDefaultAddress,
    ActionExchangeItems,
    ActionModifyAddress,
    ActionModifyPayment,
    ActionOrderStatus,
    ActionReturnItems,
)
from bot.db import models as m
from bot.db.session import Database
from tests.actions.conftest import Conversation, find_order, other_variant


def _status(db: Database, order_id: str) -> str:
    with db.session() as s:
        order = s.get(m.Order, order_id)
        assert order is not None
        return order.status


def _identified(order: m.Order, form: str) -> Conversation:
    return Conversation(slots={"customer_id": order.customer_id}, form=form)


def test_cancel_pending_order_after_yes(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = _identified(order, "cancel_form")
    asked = chat.run(ActionAskOrderId(), domain)
    assert order.id in asked.shown  # the shopper's cancellable orders are offered
    turn = chat.answer(ValidateCancelForm(), domain, "order_id", f"it's {order.id.lower()}")
    assert turn.slots()["order_id"] == order.id
    turn = chat.answer(ValidateCancelForm(), domain, "cancel_reason", "I ordered it by mistake")
    assert turn.slots()["cancel_reason"] == "ordered by mistake"
    preview = chat.run(ActionAskConfirmed(), domain)
    assert order.id in preview.text and "go ahead" in preview.text
    assert _status(shop, order.id) == "pending"  # nothing changed before the yes
    chat.slots["confirmed"] = True
    done = chat.run(ActionCancelOrder(), domain)
    assert _status(shop, order.id) == "cancelled"
    assert done.payloads[0]["order"]["status"] == "cancelled"
    assert done.slots()["order_id"] is None  # the task is cleared


def test_no_at_confirmation_changes_nothing(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = _identified(order, "cancel_form")
    chat.slots.update(order_id=order.id, cancel_reason="no longer needed", confirmed=False)
    turn = chat.run(ActionCancelOrder(), domain)
    assert "haven't changed anything" in turn.text
    assert _status(shop, order.id) == "pending"


def test_another_customers_order_is_refused(shop: Database, domain: dict) -> None:
    mine = find_order(shop, "pending")
    with shop.session() as s:
        theirs = s.scalars(
            select(m.Order).where(m.Order.customer_id != mine.customer_id).order_by(m.Order.id)
        ).first()
        assert theirs is not None
        theirs_id = theirs.id
    chat = _identified(mine, "cancel_form")
    turn = chat.answer(ValidateCancelForm(), domain, "order_id", theirs_id)
    assert turn.slots()["order_id"] is None
    assert f"couldn't find an order {theirs_id} on your account" in turn.text
    assert _status(shop, theirs_id) != "cancelled"


def test_unknown_order_is_refused(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    turn = _identified(order, "cancel_form").answer(
        ValidateCancelForm(), domain, "order_id", "#S9999999"
    )
    assert turn.slots()["order_id"] is None
    assert "couldn't find an order #S9999999" in turn.text


def test_wrong_status_is_explained(shop: Database, domain: dict) -> None:
    delivered = find_order(shop, "delivered")
    turn = _identified(delivered, "cancel_form").answer(
        ValidateCancelForm(), domain, "order_id", delivered.id
    )
    assert turn.slots()["order_id"] is None
    assert "is delivered, so it can't be cancelled" in turn.text
    pending = find_order(shop, "pending")
    turn = _identified(pending, "return_form").answer(
        ValidateReturnForm(), domain, "order_id", pending.id
    )
    assert "can't be returned" in turn.text


def test_invalid_cancel_reason_is_asked_again(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = _identified(order, "cancel_form")
    chat.slots["order_id"] = order.id
    turn = chat.answer(ValidateCancelForm(), domain, "cancel_reason", "the colour is ugly")
    assert turn.slots()["cancel_reason"] is None
    assert "no longer needed" in turn.text


def test_return_delivered_item_to_original_method(shop: Database, domain: dict) -> None:
    order = find_order(shop, "delivered")
    line = order.lines[0]
    chat = _identified(order, "return_form")
    chat.answer(ValidateReturnForm(), domain, "order_id", order.id)
    asked = chat.run(ActionAskItemIds(), domain)
    assert line.variant_id not in asked.text  # described, not numbered
    payloads = [b["payload"] for msg in asked.messages for b in msg.get("buttons") or []]
    assert f"item {line.variant_id}" in payloads  # a quick reply the item parser understands
    turn = chat.answer(ValidateReturnForm(), domain, "item_ids", f"item {line.variant_id}")
    assert turn.slots()["item_ids"] == [line.variant_id]
    turn = chat.answer(
        ValidateReturnForm(), domain, "payment_method_id", "the original payment method"
    )
    original = next(t.payment_method_id for t in order.transactions if t.kind == "payment")
    assert turn.slots()["payment_method_id"] == original
    preview = chat.run(ActionAskConfirmed(), domain)
    assert "go ahead" in preview.text
    chat.slots["confirmed"] = True
    chat.run(ActionReturnItems(), domain)
    assert _status(shop, order.id) == "return requested"
    with shop.session() as s:
        lines = s.scalars(select(m.OrderLine).where(m.OrderLine.order_id == order.id)).all()
        assert any(ln.return_requested and ln.variant_id == line.variant_id for ln in lines)


def test_return_item_not_in_order_is_refused(shop: Database, domain: dict) -> None:
    order = find_order(shop, "delivered")
    chat = _identified(order, "return_form")
    chat.slots["order_id"] = order.id
    turn = chat.answer(ValidateReturnForm(), domain, "item_ids", "SB-V999999")
    assert turn.slots()["item_ids"] is None
    assert "isn't one of the items" in turn.text


def test_exchange_delivered_item_by_options(shop: Database, domain: dict) -> None:
    order = None
    for candidate_status in ("delivered",):
        order = find_order(shop, candidate_status)
    assert order is not None
    line = next(ln for ln in order.lines if other_variant(shop, ln.variant_id) is not None)
    new = other_variant(shop, line.variant_id)
    assert new is not None
    chat = _identified(order, "exchange_form")
    chat.slots["order_id"] = order.id
    chat.answer(ValidateExchangeForm(), domain, "item_ids", line.variant_id)
    turn = chat.answer(ValidateExchangeForm(), domain, "new_item_ids", f"I'd like {new.id}")
    assert turn.slots()["new_item_ids"] == [new.id]
    if Decimal(new.price) == Decimal(line.price):
        # Nothing to pay or refund: the payment question is skipped (issue 16).
        assert turn.slots()["requested_slot"] == "confirmed"
    else:
        original = next(t.payment_method_id for t in order.transactions if t.kind == "payment")
        turn = chat.answer(ValidateExchangeForm(), domain, "payment_method_id", original)
        assert turn.slots()["payment_method_id"] == original
    preview = chat.run(ActionAskConfirmed(), domain)
    assert preview.text.count("every item you want to exchange") == 1  # asked once, not twice
    chat.slots["confirmed"] = True
    chat.run(ActionExchangeItems(), domain)
    assert _status(shop, order.id) == "exchange requested"


def test_modify_address_and_payment_of_pending_order(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = _identified(order, "modify_address_form")
    chat.slots["order_id"] = order.id
    turn = chat.answer(
        ValidateModifyAddressForm(), domain, "new_address", "12 Oak Street, Apt 4, Austin, TX 78701"
    )
    assert turn.slots()["new_address"]["city"] == "Austin"
    chat.run(ActionAskConfirmed(), domain)  # a yes applies only what was previewed
    chat.slots["confirmed"] = True
    chat.run(ActionModifyAddress(), domain)
    with shop.session() as s:
        stored = s.get(m.Order, order.id)
        assert stored is not None and stored.zip == "78701" and stored.city == "Austin"

    bad = chat.answer(ValidateModifyAddressForm(), domain, "new_address", "somewhere nice")
    assert bad.slots()["new_address"] is None and "couldn't read that" in bad.text

    with shop.session() as s:
        methods = s.scalars(
            select(m.PaymentMethod).where(m.PaymentMethod.customer_id == order.customer_id)
        ).all()
        original = next(t.payment_method_id for t in order.transactions if t.kind == "payment")
        others = [pm.id for pm in methods if pm.id != original and pm.kind != "gift_card"]
    if others:
        pay = _identified(order, "modify_payment_form")
        pay.slots["order_id"] = order.id
        turn = pay.answer(ValidateModifyPaymentForm(), domain, "payment_method_id", others[0])
        assert turn.slots()["payment_method_id"] == others[0]
        pay.run(ActionAskConfirmed(), domain)
        pay.slots["confirmed"] = True
        pay.run(ActionModifyPayment(), domain)
        with shop.session() as s:
            payments = s.scalars(
                select(m.Transaction).where(m.Transaction.order_id == order.id)
            ).all()
            assert any(t.payment_method_id == others[0] and t.kind == "payment" for t in payments)


def test_change_default_address(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = _identified(order, "default_address_form")
    chat.answer(ValidateDefaultAddressForm(), domain, "new_address", "3 Elm Road, Boston, MA 02101")
    chat.run(ActionAskConfirmed(), domain)
    chat.slots["confirmed"] = True
    turn = chat.run(ActionChangeDefaultAddress(), domain)
    assert "3 Elm Road" in turn.text
    with shop.session() as s:
        customer = s.get(m.Customer, order.customer_id)
        assert customer is not None and customer.address1 == "3 Elm Road"


def test_order_status_and_other_order_digression(shop: Database, domain: dict) -> None:
    order = find_order(shop, "delivered")
    chat = _identified(order, "order_status_form")
    chat.slots["order_id"] = order.id
    turn = chat.run(ActionOrderStatus(), domain)
    assert f"Order {order.id} is delivered" in turn.text
    assert turn.payloads[0]["order"]["total"] == f"{sum(ln.price for ln in order.lines):.2f}"
    other = _identified(order, "cancel_form").run(
        ActionOtherOrderStatus(), domain, f"where is my other order {order.id}?", "track_order"
    )
    assert f"Order {order.id}" in other.text
    listed = _identified(order, "cancel_form").run(
        ActionOtherOrderStatus(), domain, "where are my other orders", "track_order"
    )
    assert order.id in listed.text and "Your orders" in listed.text
    assert Decimal("0") <= Decimal(turn.payloads[0]["order"]["total"])


def test_a_corrected_part_of_the_new_address_at_the_confirmation(
    shop: Database, domain: dict
) -> None:
    """Issue 16: "wait sorry, its suite 210 not 200" at the confirmation got "I didn't catch
    that"; read as a "no" it would have ended the task. It replaces the suite and the form
    asks for the confirmation again (a new preview)."""
    order = find_order(shop, "pending")
    chat = _identified(order, "modify_address_form")
    chat.slots["order_id"] = order.id
    chat.answer(
        ValidateModifyAddressForm(),
        domain,
        "new_address",
        "12 Oak Street, Suite 200, Austin, TX 78701",
    )
    chat.run(ActionAskConfirmed(), domain)
    turn = chat.answer(
        ValidateModifyAddressForm(),
        domain,
        "confirmed",
        "wait sorry, its suite 210 not 200",
        intent="deny",
        mapped={"confirmed": False},
    )
    slots = turn.slots()
    assert slots["new_address"]["address2"] == "Suite 210"
    assert slots["new_address"]["address1"] == "12 Oak Street"
    assert slots.get("confirmed", False) is None
    assert "Suite 210" in chat.run(ActionAskConfirmed(), domain).text
    # A plain "no" is still a no.
    no = chat.answer(
        ValidateModifyAddressForm(),
        domain,
        "confirmed",
        "no",
        intent="deny",
        mapped={"confirmed": False},
    )
    assert no.slots()["confirmed"] is False


def test_how_much_will_i_get_back_in_a_return_is_the_return_priced(
    shop: Database, domain: dict
) -> None:
    """Issue 16: "how much will I get back" in the middle of a return said that nothing was
    refunded yet and listed the order; it is the amount the return being prepared refunds
    (before its refund destination is chosen too), and nothing is written."""
    order = find_order(shop, "delivered")
    lines = order.lines[:2]
    chat = _identified(order, "return_form")
    chat.slots.update(order_id=order.id, item_ids=[ln.variant_id for ln in lines])
    turn = chat.run(ActionOtherOrderStatus(), domain, "how much will I get back?", "track_refund")
    assert f"you get ${sum(ln.price for ln in lines):,.2f} back" in turn.text
    # Another aspect, or no task items yet: the order's own facts as before.
    paid = chat.run(ActionOtherOrderStatus(), domain, "which card did I use?", "ask_order_info")
    assert "paid with your" in paid.text
    bare = _identified(order, "return_form")
    bare.slots["order_id"] = order.id
    answer = bare.run(ActionOtherOrderStatus(), domain, "how much will I get back?", "track_refund")
    assert "Nothing has been refunded" in answer.text
    assert _status(shop, order.id) == "delivered"


def test_payment_rules_of_the_task_are_checked_when_named(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    original = next(t.payment_method_id for t in order.transactions if t.kind == "payment")
    pay = _identified(order, "modify_payment_form")
    pay.slots["order_id"] = order.id
    turn = pay.answer(ValidateModifyPaymentForm(), domain, "payment_method_id", original)
    assert turn.slots()["payment_method_id"] is None
    assert "already paid with" in turn.text

    delivered = find_order(shop, "delivered")
    with shop.session() as s:
        methods = s.scalars(
            select(m.PaymentMethod).where(m.PaymentMethod.customer_id == delivered.customer_id)
        ).all()
        first_payment = next(t for t in delivered.transactions if t.kind == "payment")
        not_allowed = [
            pm.id for pm in methods if pm.id != first_payment.payment_method_id
            and pm.kind != "gift_card"
        ]  # fmt: skip
    ret = _identified(delivered, "return_form")
    ret.slots.update(order_id=delivered.id, item_ids=[delivered.lines[0].variant_id])
    if not_allowed:
        turn = ret.answer(ValidateReturnForm(), domain, "payment_method_id", not_allowed[0])
        assert turn.slots()["payment_method_id"] is None
        assert "original payment method or to a gift card" in turn.text
    # Someone else's payment method is never accepted.
    with shop.session() as s:
        foreign = s.scalars(
            select(m.PaymentMethod).where(m.PaymentMethod.customer_id != delivered.customer_id)
        ).first()
        assert foreign is not None
    turn = ret.answer(ValidateReturnForm(), domain, "payment_method_id", foreign.id)
    assert turn.slots()["payment_method_id"] is None
    assert "isn't on your account" in turn.text


def test_address_given_before_the_order_is_kept(shop: Database, domain: dict) -> None:
    order = find_order(shop, "pending")
    chat = _identified(order, "modify_address_form")
    turn = chat.answer(
        ValidateModifyAddressForm(), domain, "order_id", "9 Pine Street, Portland, OR 97201"
    )
    assert turn.slots()["new_address"]["zip"] == "97201"
    assert turn.slots()["requested_slot"] == "order_id"
    assert "order number looks like" not in turn.text


def test_modify_items_of_pending_order(shop: Database, domain: dict) -> None:
    from actions.forms import ValidateModifyItemsForm
    from actions.tasks import ActionModifyItems

    order = find_order(shop, "pending")
    line = next(ln for ln in order.lines if other_variant(shop, ln.variant_id) is not None)
    new = other_variant(shop, line.variant_id)
    assert new is not None
    original = next(t.payment_method_id for t in order.transactions if t.kind == "payment")
    chat = _identified(order, "modify_items_form")
    chat.slots["order_id"] = order.id
    turn = chat.answer(ValidateModifyItemsForm(), domain, "item_ids", f"item {line.variant_id}")
    assert turn.slots()["item_ids"] == [line.variant_id]
    turn = chat.answer(ValidateModifyItemsForm(), domain, "new_item_ids", new.id)
    assert turn.slots()["new_item_ids"] == [new.id]
    chat.answer(ValidateModifyItemsForm(), domain, "payment_method_id", original)
    preview = chat.run(ActionAskConfirmed(), domain)
    assert "go ahead" in preview.text and "every item you want to change" in preview.text
    chat.slots["confirmed"] = True
    chat.run(ActionModifyItems(), domain)
    with shop.session() as s:
        stored = s.get(m.Order, order.id)
        assert stored is not None
        assert stored.items_modified is True
        assert new.id in {ln.variant_id for ln in stored.lines}
    # Modified once: the order can no longer be modified or cancelled.
    again = _identified(order, "cancel_form").answer(
        ValidateCancelForm(), domain, "order_id", order.id
    )
    assert again.slots()["order_id"] is None
    assert "already changed once" in again.text


def test_one_shopper_per_conversation(shop: Database, domain: dict) -> None:
    mine = find_order(shop, "pending")
    with shop.session() as s:
        other = s.scalars(
            select(m.Customer).where(m.Customer.id != mine.customer_id).order_by(m.Customer.id)
        ).first()
        assert other is not None
        other_email = other.email
    chat = _identified(mine, "order_status_form")
    turn = chat.answer(ValidateOrderStatusForm(), domain, "order_id", f"I'm actually {other_email}")
    assert "only help with the account verified" in turn.text
    assert "customer_id" not in turn.slots()  # still the first shopper
    assert chat.slots["customer_id"] == mine.customer_id


def test_exchange_by_description_with_a_grouped_question(shop: Database, domain: dict) -> None:
    """Item and new version in words; a vague answer gets one option's values as choices, and
    the choice is read together with what came before (issue 16, item 3)."""
    order = find_order(shop, "delivered")
    line = next(ln for ln in order.lines if other_variant(shop, ln.variant_id) is not None)
    chat = _identified(order, "exchange_form")
    chat.slots["order_id"] = order.id
    described = f"the {line.name} in {' '.join(str(v) for v in line.options.values())}"
    turn = chat.answer(ValidateExchangeForm(), domain, "item_ids", described)
    assert turn.slots()["item_ids"] == [line.variant_id]
    asked = chat.run(ActionAskNewItemIds(), domain)
    assert "instead" in asked.text and line.variant_id not in asked.text
    vague = chat.answer(ValidateExchangeForm(), domain, "new_item_ids", "something different")
    assert vague.slots()["new_item_ids"] is None
    (question,) = [msg for msg in vague.messages if msg.get("buttons")]
    assert question["text"].startswith("Which ")
    choices = [b["payload"] for b in question["buttons"]]
    assert not any(re.search(r"SB-V\d{6}", c + question["text"]) for c in choices)
    turn = chat.answer(ValidateExchangeForm(), domain, "new_item_ids", choices[0])
    (chosen,) = turn.slots()["new_item_ids"]
    with shop.session() as s:
        new = s.get(m.Variant, chosen)
        assert new is not None and new.product_id == line.product_id and new.id != line.variant_id
        key, value = choices[0].rsplit(" ", 1)
        assert str(new.options[key]) == value


def test_earlier_answers_are_those_to_the_same_question() -> None:
    from rasa_sdk import Tracker

    from actions.common import earlier_answers

    def user(text: str) -> dict:
        return {"event": "user", "text": text}

    def asked(slot: str) -> dict:
        return {"event": "slot", "name": "requested_slot", "value": slot}

    events = [
        asked("item_ids"),
        user("the keyboard"),
        asked("new_item_ids"),
        user("no backlight"),
        asked("new_item_ids"),
        user("whichever is cheaper"),
    ]
    tracker = Tracker("t", {}, {}, events, False, None, {}, "action_listen")
    assert earlier_answers(tracker, "new_item_ids") == ["no backlight"]
    assert earlier_answers(tracker, "item_ids") == []


def test_address_in_the_request_before_the_shopper_is_known(shop: Database, domain: dict) -> None:
    """Held-out train tasks: "change the shipping address of order #W… to 445 Maple Drive,
    …" from a shopper not verified yet. The address was asked again after the identity step,
    and its ZIP was taken for the shopper's."""
    order = find_order(shop, "pending")
    customer = order.customer
    chat = Conversation(form="modify_address_form")
    opening = chat.run(
        ValidateModifyAddressForm(),
        domain,
        f"Hi, I'd like to change the shipping address of order {order.id} to 445 Maple Drive, "
        "Suite 394, Fort Worth, TX 76165.",
        intent="change_shipping_address",
    )
    assert not opening.slots().get("zip") and not opening.slots().get("person_name"), opening
    chat.history.append({"event": "active_loop", "name": "modify_address_form"})
    turn = chat.answer(
        ValidateModifyAddressForm(),
        domain,
        "email",
        f"{customer.first_name} {customer.last_name}, {customer.zip}",
    )
    slots = chat.slots
    assert slots["customer_id"] == customer.id and slots["order_id"] == order.id
    assert slots["new_address"]["address1"] == "445 Maple Drive"
    assert slots["new_address"]["zip"] == "76165"
    assert turn.slots()["requested_slot"] == "confirmed"  # the address is not asked again


def test_an_item_change_of_a_delivered_order_becomes_an_exchange(
    shop: Database, domain: dict
) -> None:
    """Held-out train-196: "I'd like to exchange the … in order #…" classified as an item
    change; the delivered order was refused ("can't be changed. Is there another order you
    mean?") and the shopper named it again until the conversation died. The order is right,
    the task is not: the form hands the request to the exchange form in the same turn."""
    from actions.forms import ValidateModifyItemsForm

    order = find_order(shop, "delivered")
    line = order.lines[0]
    text = f"I want to change the {line.name.lower()} I got last week"
    chat = _identified(order, "modify_items_form")
    chat.history += [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "change_order"}}},
        {"event": "active_loop", "name": "modify_items_form"},
    ]
    turn = chat.answer(ValidateModifyItemsForm(), domain, "order_id", f"it's {order.id}")
    assert "can't be changed" in turn.text and "exchanged instead" in turn.text
    assert "another order" not in turn.text
    assert turn.slots()["order_id"] == order.id
    ends = [(e["event"], e.get("name")) for e in turn.events[-2:]]
    assert ends == [("active_loop", None), ("followup", "exchange_form")]
    request = turn.slots()["current_request"]["request"]
    assert request == {"text": text, "intent": "exchange_item"}
    # The exchange form takes the order (and, once asked, the items) from the same request.
    chat.form = "exchange_form"
    chat.slots["requested_slot"] = None
    turn = chat.run(ValidateExchangeForm(), domain, f"it's {order.id}")
    assert turn.slots()["order_id"] == order.id
    assert not any(e.get("event") == "action_execution_rejected" for e in turn.events)
    assert not any(e.get("event") == "followup" for e in turn.events)


def test_an_order_either_task_can_take_is_offered(shop: Database, domain: dict) -> None:
    """The item-change question lists the delivered orders too (they become exchanges)."""
    order = find_order(shop, "delivered")
    asked = _identified(order, "modify_items_form").run(ActionAskOrderId(), domain)
    assert order.id in asked.shown
