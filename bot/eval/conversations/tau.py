"""τ-bench retail tasks, τ's write semantics replayed on the source JSON, and the end state.

The expected end state of a task is the source data after its reference write actions, each
applied as τ's tools apply it (the same checks: a call τ would answer with an error writes
nothing). Two deliberate differences, both from the data README: a write on another customer's
order and an "exchange" into the identical item are refused, since refusing them is correct.

Both sides are then put into one comparable shape, :class:`OrderState` / :class:`UserState`,
in the product's vocabulary: τ's ``pending (item modified)`` is ``pending`` with
``items_modified``; τ keeps a return's refund method and an exchange's price difference on the
order, where the product books them as transactions, so the replay books them the same way.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

TAU_DIR = PROJECT_ROOT.parent / "shared" / "data" / "tau_retail"
CANCEL_REASONS = ("no longer needed", "ordered by mistake")
WRITE_ACTIONS = (
    "cancel_pending_order",
    "modify_pending_order_items",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_user_address",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
)
HANDOFF_ACTION = "transfer_to_human_agents"
ADDRESS_KEYS = ("address1", "address2", "city", "state", "zip", "country")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Action:
    name: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class TauTask:
    id: str
    user_id: str
    instruction: str
    actions: tuple[Action, ...]
    outputs: tuple[str, ...]

    @property
    def writes(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.name in WRITE_ACTIONS)

    @property
    def hands_off(self) -> bool:
        return any(a.name == HANDOFF_ACTION for a in self.actions)


def load_tasks(split: str, tau_dir: Path = TAU_DIR) -> list[TauTask]:
    raw = json.loads((tau_dir / "tasks" / f"{split}.json").read_text(encoding="utf-8"))
    return [
        TauTask(
            id=str(t["id"]),
            user_id=str(t["user_id"]),
            instruction=str(t.get("instruction") or ""),
            actions=tuple(Action(a["name"], dict(a.get("kwargs") or {})) for a in t["actions"]),
            outputs=tuple(str(o) for o in t.get("outputs") or ()),
        )
        for t in raw
    ]


@cache
def _source(tau_dir: Path) -> dict[str, Any]:
    return {
        name: json.loads((tau_dir / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("products", "users", "orders")
    }


def source_data(tau_dir: Path = TAU_DIR) -> dict[str, Any]:
    """A private deep copy of products/users/orders (a replay mutates it)."""
    return copy.deepcopy(_source(tau_dir))


# -- τ's write semantics ------------------------------------------------------------------


@dataclass
class Replay:
    """The source after the task's writes, and why any reference write was refused."""

    data: dict[str, Any]
    refused: list[str] = field(default_factory=list)
    touched_orders: set[str] = field(default_factory=set)
    touched_users: set[str] = field(default_factory=set)


def replay(task: TauTask, tau_dir: Path = TAU_DIR) -> Replay:
    result = Replay(source_data(tau_dir))
    for action in task.writes:
        error = _apply(result.data, task.user_id, action)
        if error:
            result.refused.append(f"{action.name}: {error}")
            continue
        if "order_id" in action.kwargs:
            result.touched_orders.add(str(action.kwargs["order_id"]))
        else:
            result.touched_users.add(str(action.kwargs.get("user_id") or task.user_id))
    return result


def _round(value: float) -> float:
    return round(value, 2)


def _apply(data: dict[str, Any], user_id: str, action: Action) -> str | None:
    """One τ write on ``data``; an error string (and nothing written) where τ refuses."""
    kw = action.kwargs
    users, orders, products = data["users"], data["orders"], data["products"]
    if action.name == "modify_user_address":
        uid = str(kw.get("user_id") or user_id)
        if uid != user_id or uid not in users:
            return "not this customer"
        users[uid]["address"] = {k: kw.get(k, "") for k in ADDRESS_KEYS}
        return None
    order = orders.get(kw.get("order_id"))
    if order is None:
        return "order not found"
    if order["user_id"] != user_id:
        return "another customer's order"
    methods = users[order["user_id"]]["payment_methods"]
    if action.name == "cancel_pending_order":
        if order["status"] != "pending":
            return "non-pending order cannot be cancelled"
        if kw.get("reason") not in CANCEL_REASONS:
            return "invalid reason"
        refunds = []
        for payment in order["payment_history"]:
            refunds.append({**payment, "transaction_type": "refund"})
            if "gift_card" in payment["payment_method_id"]:
                card = methods[payment["payment_method_id"]]
                card["balance"] = _round(card["balance"] + payment["amount"])
        order["status"] = "cancelled"
        order["cancel_reason"] = kw["reason"]
        order["payment_history"].extend(refunds)
        return None
    if action.name == "modify_pending_order_address":
        if order["status"] != "pending":
            return "non-pending order cannot be modified"
        order["address"] = {k: kw.get(k, "") for k in ADDRESS_KEYS}
        return None
    if action.name == "modify_pending_order_payment":
        return _modify_payment(order, methods, str(kw.get("payment_method_id")))
    if action.name in ("modify_pending_order_items", "exchange_delivered_order_items"):
        return _swap(order, methods, products, action)
    if action.name == "return_delivered_order_items":
        if order["status"] != "delivered":
            return "non-delivered order cannot be returned"
        method_id = str(kw.get("payment_method_id"))
        if method_id not in methods:
            return "payment method not found"
        original = order["payment_history"][0]["payment_method_id"]
        if "gift_card" not in method_id and method_id != original:
            return "refund must go to the original payment method or a gift card"
        wanted = list(kw.get("item_ids") or [])
        have = [i["item_id"] for i in order["items"]]
        if not wanted or any(wanted.count(i) > have.count(i) for i in wanted):
            return "some item not found"
        order["status"] = "return requested"
        order["return_items"] = sorted(wanted)
        order["return_payment_method_id"] = method_id
        return None
    return f"unknown write {action.name}"


def _modify_payment(order: dict[str, Any], methods: dict[str, Any], method_id: str) -> str | None:
    if order["status"] != "pending":
        return "non-pending order cannot be modified"
    if method_id not in methods:
        return "payment method not found"
    history = order["payment_history"]
    if len(history) > 1 or history[0]["transaction_type"] != "payment":
        return "there should be exactly one payment for a pending order"
    old = history[0]["payment_method_id"]
    if old == method_id:
        return "the new payment method should be different from the current one"
    amount = history[0]["amount"]
    new = methods[method_id]
    if new["source"] == "gift_card" and new["balance"] < amount:
        return "insufficient gift card balance"
    history.extend(
        [
            {"transaction_type": "payment", "amount": amount, "payment_method_id": method_id},
            {"transaction_type": "refund", "amount": amount, "payment_method_id": old},
        ]
    )
    if new["source"] == "gift_card":
        new["balance"] = _round(new["balance"] - amount)
    if "gift_card" in old:
        methods[old]["balance"] = _round(methods[old]["balance"] + amount)
    return None


def _swap(
    order: dict[str, Any], methods: dict[str, Any], products: dict[str, Any], action: Action
) -> str | None:
    modify = action.name == "modify_pending_order_items"
    if order["status"] != ("pending" if modify else "delivered"):
        return f"order is {order['status']}"
    old_ids = list(action.kwargs.get("item_ids") or [])
    new_ids = list(action.kwargs.get("new_item_ids") or [])
    have = [i["item_id"] for i in order["items"]]
    if not old_ids or any(old_ids.count(i) > have.count(i) for i in old_ids):
        return "some item not found"
    if len(old_ids) != len(new_ids):
        return "the number of items to be exchanged should match"
    # A pair into the identical item changes nothing; a call of nothing but such pairs is
    # refused (see the module docstring).
    pairs = [(o, n) for o, n in zip(old_ids, new_ids, strict=True) if o != n]
    if not pairs:
        return "every new item is the item already in the order"
    old_ids, new_ids = [o for o, _ in pairs], [n for _, n in pairs]
    diff = 0.0
    for old_id, new_id in pairs:
        item = next(i for i in order["items"] if i["item_id"] == old_id)
        variant = products[item["product_id"]]["variants"].get(new_id)
        if variant is None or not variant["available"]:
            return f"new item {new_id} not found or available"
        diff += variant["price"] - item["price"]
    method_id = str(action.kwargs.get("payment_method_id"))
    if method_id not in methods:
        return "payment method not found"
    method = methods[method_id]
    if method["source"] == "gift_card" and method["balance"] < diff:
        return "insufficient gift card balance"
    diff = _round(diff)
    if not modify:
        order["status"] = "exchange requested"
        order["exchange_items"] = sorted(old_ids)
        order["exchange_new_items"] = sorted(new_ids)
        order["exchange_pairs"] = sorted(zip(old_ids, new_ids, strict=True))
        order["exchange_payment_method_id"] = method_id
        order["exchange_price_difference"] = diff
        return None
    order["payment_history"].append(
        {
            "transaction_type": "payment" if diff > 0 else "refund",
            "amount": abs(diff),
            "payment_method_id": method_id,
        }
    )
    if method["source"] == "gift_card":
        method["balance"] = _round(method["balance"] - diff)
    for old_id, new_id in zip(old_ids, new_ids, strict=True):
        item = next(i for i in order["items"] if i["item_id"] == old_id)
        variant = products[item["product_id"]]["variants"][new_id]
        item.update(item_id=new_id, price=variant["price"], options=variant["options"])
    order["status"] = "pending (item modified)"
    return None


# -- the comparable end state ---------------------------------------------------------------

Money = str  # "12.30"
Movement = tuple[str, str, Money]  # (payment|refund, payment method id, amount)


def money(value: Any) -> Money:
    return str(Decimal(str(value)).quantize(CENT))


@dataclass(frozen=True)
class OrderState:
    """What the scoring compares of one order (field by field, see ``differences``)."""

    status: str
    items_modified: bool
    cancel_reason: str | None
    address: tuple[str, ...]
    items: tuple[str, ...]  # variant ids, sorted (a multiset)
    returned: tuple[str, ...]
    exchanged: tuple[tuple[str, str], ...]
    transactions: tuple[Movement, ...]  # sorted, zero amounts left out


@dataclass(frozen=True)
class UserState:
    address: tuple[str, ...]


def _address(raw: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(raw.get(k) or "").strip() for k in ADDRESS_KEYS)


def movements(rows: list[Movement]) -> tuple[Movement, ...]:
    return tuple(sorted(r for r in rows if Decimal(r[2]) != 0))


def order_state(order: dict[str, Any]) -> OrderState:
    """τ's order (source or replayed) in the product's vocabulary."""
    status = str(order["status"])
    modified = status == "pending (item modified)"
    rows: list[Movement] = [
        (p["transaction_type"], p["payment_method_id"], money(p["amount"]))
        for p in order["payment_history"]
    ]
    returned = sorted(order.get("return_items") or [])
    if returned:
        prices = {i["item_id"]: i["price"] for i in order["items"]}
        total = sum(Decimal(str(prices[i])) for i in returned)
        rows.append(("refund", order["return_payment_method_id"], money(total)))
    diff = Decimal(str(order.get("exchange_price_difference") or 0))
    if diff:
        kind = "payment" if diff > 0 else "refund"
        rows.append((kind, order["exchange_payment_method_id"], money(abs(diff))))
    return OrderState(
        status="pending" if modified else status,
        items_modified=modified,
        cancel_reason=order.get("cancel_reason"),
        address=_address(order["address"]),
        items=tuple(sorted(i["item_id"] for i in order["items"])),
        returned=tuple(returned),
        exchanged=tuple(tuple(p) for p in order.get("exchange_pairs") or ()),  # type: ignore[misc]
        transactions=movements(rows),
    )


def user_state(user: dict[str, Any]) -> UserState:
    return UserState(address=_address(user["address"]))
