"""The suite's scoring side without a stack: τ's write semantics and the end-state comparison."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.eval.conversations.goal import derive
from bot.eval.conversations.score import compare, entities
from bot.eval.conversations.shopper import ScriptedShopper, _asked_in_text, words_of
from bot.eval.conversations.tau import (
    Action,
    TauTask,
    load_tasks,
    order_state,
    replay,
    source_data,
    user_state,
)


def _task(user: str, *actions: Action) -> TauTask:
    return TauTask("t", user, "", tuple(actions), ())


def _pending_order(data: dict, status: str = "pending") -> tuple[str, dict]:
    for oid, order in data["orders"].items():
        if order["status"] == status and len(order["payment_history"]) == 1:
            return oid, order
    raise AssertionError(status)


@pytest.fixture
def data(tau_dir: Path) -> dict:
    return source_data(tau_dir)


def test_cancel_refunds_every_payment_and_records_the_reason(data: dict, tau_dir: Path) -> None:
    oid, order = _pending_order(data)
    task = _task(
        order["user_id"],
        Action("cancel_pending_order", {"order_id": oid, "reason": "no longer needed"}),
    )
    after = replay(task, tau_dir)
    assert not after.refused and after.touched_orders == {oid}
    state = order_state(after.data["orders"][oid])
    assert state.status == "cancelled" and state.cancel_reason == "no longer needed"
    paid = order["payment_history"][0]
    assert ("refund", paid["payment_method_id"], f"{paid['amount']:.2f}") in state.transactions


def test_item_change_marks_the_order_and_books_the_difference(data: dict, tau_dir: Path) -> None:
    task = next(t for t in load_tasks("dev", tau_dir) if t.id == "dev-19")
    action = task.writes[0]
    after = replay(task, tau_dir)
    state = order_state(after.data["orders"][action.kwargs["order_id"]])
    assert state.status == "pending" and state.items_modified
    assert action.kwargs["new_item_ids"][0] in state.items
    assert any(kind == "payment" for kind, _, _ in state.transactions[1:])


def test_writes_that_tau_or_the_readme_refuse_change_nothing(data: dict, tau_dir: Path) -> None:
    oid, order = _pending_order(data)
    other_user = next(u for u in data["users"] if u != order["user_id"])
    item = order["items"][0]["item_id"]
    cancel = "cancel_pending_order"
    refused = [
        _task(other_user, Action(cancel, {"order_id": oid, "reason": "no longer needed"})),
        _task(order["user_id"], Action(cancel, {"order_id": oid, "reason": "bored"})),
        _task(
            order["user_id"],
            Action(
                "modify_pending_order_items",
                {"order_id": oid, "item_ids": [item], "new_item_ids": [item],
                 "payment_method_id": order["payment_history"][0]["payment_method_id"]},
            ),
        ),
    ]  # fmt: skip
    for task in refused:
        after = replay(task, tau_dir)
        assert after.refused and after.data["orders"][oid] == data["orders"][oid]


def test_return_is_booked_as_a_refund_to_the_chosen_method(tau_dir: Path) -> None:
    task = next(t for t in load_tasks("dev", tau_dir) if t.id == "dev-8")
    kw = task.writes[0].kwargs
    state = order_state(replay(task, tau_dir).data["orders"][kw["order_id"]])
    assert state.status == "return requested"
    assert state.returned == tuple(sorted(kw["item_ids"]))
    assert [t[:2] for t in state.transactions if t[0] == "refund"] == [
        ("refund", kw["payment_method_id"])
    ]


def test_compare_tells_wrong_writes_from_missing_ones(tau_dir: Path) -> None:
    task = next(t for t in load_tasks("dev", tau_dir) if t.id == "dev-0")
    source = source_data(tau_dir)
    order_ids, user_ids = entities(task, source)
    after = replay(task, tau_dir)
    untouched = {o: order_state(source["orders"][o]) for o in order_ids}
    users = {u: user_state(source["users"][u]) for u in user_ids}
    wrong, missing = compare(task, after, untouched, users)
    assert not wrong and any("status" in m for m in missing)
    done = {o: order_state(after.data["orders"][o]) for o in order_ids}
    assert compare(task, after, done, users) == ([], [])
    other = next(o for o in sorted(order_ids) if o != task.writes[0].kwargs["order_id"])
    done[other] = replace(done[other], status="cancelled")
    wrong, missing = compare(task, after, done, users)
    assert len(wrong) == 1 and wrong[0].startswith(f"{other} status") and not missing


def test_the_shopper_speaks_in_words_and_is_the_same_every_run(tau_dir: Path) -> None:
    data = source_data(tau_dir)
    for task in load_tasks("dev", tau_dir):
        goal, again = derive(task, data), derive(task, data)
        assert goal.style == again.style
        for req in goal.requests:
            spoken = " ".join(i.words for i in req.items) + " ".join(s.words for s in req.swaps)
            assert not any(i.variant_id in spoken for i in req.items)
            if req.payment:
                assert req.payment.method_id not in req.payment.words


def test_reading_the_bots_question_and_comparing_outputs() -> None:
    asked = "Thanks. What's the email address on your account? (Or tell me your full name.)"
    assert _asked_in_text(asked) == "email"
    assert _asked_in_text("Which order would you like to cancel?") is None
    assert words_of("Total: $1,234.50,  paid") == "total: $1234.50 paid"


def test_a_right_change_beside_a_missing_one_is_no_wrong_write(tau_dir: Path) -> None:
    """dev-12 changes the payment and then the items of one order: only the first happened."""
    task = next(t for t in load_tasks("dev", tau_dir) if t.id == "dev-12")
    source = source_data(tau_dir)
    order_ids, user_ids = entities(task, source)
    after = replay(task, tau_dir)
    half = replay(replace(task, actions=task.writes[:1]), tau_dir)  # the payment change only
    have = {o: order_state(half.data["orders"][o]) for o in order_ids}
    users = {u: user_state(source["users"][u]) for u in user_ids}
    wrong, missing = compare(task, after, have, users)
    assert not wrong
    assert any("transactions: missing" in m for m in missing)


def test_a_preview_with_a_unit_too_many_is_refused(tau_dir: Path) -> None:
    """train-25 exchanges one of two identical water bottles; a preview of both is refused."""
    task = next(t for t in load_tasks("train", tau_dir) if t.id == "train-25")
    req = derive(task, source_data(tau_dir)).requests[0]
    line = "water bottle (capacity 500ml, color green) → water bottle (capacity 500ml, glass)"
    preview = f"exchange in order {req.order_id.lower()}: {line}"
    assert ScriptedShopper._counts_fit(req, preview)
    assert not ScriptedShopper._counts_fit(req, f"{preview}; {line}")


def test_a_product_name_among_the_options_is_no_item(tau_dir: Path) -> None:
    """train-150: a backpack's compartment is "laptop" and the order has a laptop too; the
    option value counted as a third laptop and the right preview was refused."""
    task = next(t for t in load_tasks("train", tau_dir) if t.id == "train-150")
    req = next(r for r in derive(task, source_data(tau_dir)).requests if r.kind == "modify_items")
    preview = (
        f"change in order {req.order_id.lower()}: backpack (color grey, compartment hydration)"
        " → backpack (color green, compartment laptop); laptop (ram 8gb) → laptop (ram 32gb)"
    )
    assert ScriptedShopper._counts_fit(req, preview)
    assert not ScriptedShopper._counts_fit(req, f"{preview}; laptop (ram 8gb)")
