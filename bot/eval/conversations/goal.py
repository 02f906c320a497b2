"""What a scripted shopper knows and wants, derived from one τ task.

Who they are comes from the instruction (email, or name + zip) and users.json; what they want
from the reference write actions, one :class:`Request` per write, described the way a person
would: products by name and option values, new options by the values that change, payment
methods by kind, brand and last four digits, never by an id. Item numbers are kept too, but
only for the recovery move "give the item numbers after the words failed".

The talking style is drawn per task from a seeded generator, so every run of a task says
the same things: everything in the first message or one thing at a time, a self-correction,
two things asked at once.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from typing import Any

from bot.eval.conversations.tau import ADDRESS_KEYS, TauTask

KINDS = {
    "cancel_pending_order": "cancel",
    "modify_pending_order_items": "modify_items",
    "modify_pending_order_address": "modify_address",
    "modify_pending_order_payment": "modify_payment",
    "modify_user_address": "user_address",
    "return_delivered_order_items": "return",
    "exchange_delivered_order_items": "exchange",
}
REASON_WORDS = {
    "no longer needed": ("I don't need it anymore", "I no longer need it", "I changed my mind"),
    "ordered by mistake": ("I ordered it by mistake", "it was a mistake, I ordered it by accident"),
}
POLICY_ASIDES = (
    "and how long does a refund usually take?",
    "also, what is your return policy?",
    "and by the way, how long does delivery take?",
)


@dataclass(frozen=True)
class Item:
    variant_id: str
    words: str  # "the black laser gaming mouse"
    name: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Swap:
    old: Item
    new_id: str
    new_options: dict[str, Any]
    changed: dict[str, Any]  # the options that differ: what a person says first

    @property
    def words(self) -> str:
        return ", ".join(str(v) for v in self.changed.values())

    @property
    def full_words(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.new_options.items())


@dataclass(frozen=True)
class Payment:
    method_id: str
    kind: str
    words: str  # "PayPal", "my gift card", "my visa card ending in 9182"
    check: tuple[str, ...]  # words a preview names this method with


@dataclass
class Request:
    kind: str
    order_id: str = ""
    reason: str = ""
    items: list[Item] = field(default_factory=list)
    swaps: list[Swap] = field(default_factory=list)
    payment: Payment | None = None
    address: dict[str, str] = field(default_factory=dict)
    all_items: bool = False  # every item of the order
    decoy: str | None = None  # another item of the order, named by mistake in a correction
    order_names: list[str] = field(default_factory=list)  # product names of the order's lines

    @property
    def address_words(self) -> str:
        a = self.address
        street = ", ".join(p for p in (a.get("address1"), a.get("address2")) if p)
        return f"{street}, {a.get('city')}, {a.get('state')} {a.get('zip')}"


@dataclass(frozen=True)
class Style:
    opener: str  # "everything" | "intent_only" | "details"
    correction: str | None  # None | "zip" | "item"
    aside: str | None  # a policy question asked with the first request
    combine: bool  # the first two requests in one message


@dataclass
class Goal:
    task_id: str
    user_id: str
    first_name: str
    last_name: str
    email: str
    zip: str
    by_email: bool  # the instruction gives an email (else name + zip)
    known_orders: set[str]  # order ids the instruction names
    requests: list[Request]
    hand_off: bool  # the reference ends with a transfer to a person: the shopper asks for one
    style: Style
    rng: random.Random

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def seeded(task_id: str) -> random.Random:
    return random.Random(int(hashlib.sha256(task_id.encode()).hexdigest()[:12], 16))


def _payment(method: dict[str, Any]) -> Payment:
    kind = str(method["source"])
    if kind == "paypal":
        return Payment(method["id"], kind, "PayPal", ("paypal",))
    if kind == "gift_card":
        return Payment(method["id"], kind, "my gift card", ("gift card",))
    brand, four = str(method.get("brand") or "credit"), str(method.get("last_four") or "")
    card = brand if brand.lower().endswith("card") else f"{brand} card"  # no "mastercard card"
    return Payment(method["id"], kind, f"my {card} ending in {four}", (four,))


def _item_words(item: dict[str, Any], siblings: list[dict[str, Any]], rng: random.Random) -> Item:
    """The product name, with the option values that tell it from same-named items."""
    same = [s for s in siblings if s["name"] == item["name"] and s["item_id"] != item["item_id"]]
    values = [
        str(v)
        for k, v in item["options"].items()
        if any(str(s["options"].get(k)) != str(v) for s in same)
    ]
    if not values and item["options"] and rng.random() < 0.5:
        values = [str(rng.choice(list(item["options"].values())))]
    name = item["name"].lower()
    words = f"the {' '.join(values)} {name}" if values else f"the {name}"
    return Item(item["item_id"], words, item["name"], dict(item["options"]))


def derive(task: TauTask, data: dict[str, Any]) -> Goal:
    """The shopper of one task; ``data`` is the τ source (products, users, orders)."""
    rng = seeded(task.id)
    user = data["users"][task.user_id]
    orders, products = data["orders"], data["products"]
    methods = user["payment_methods"]
    text = task.instruction
    known = {f"#{m}" for m in re.findall(r"#?(W\d{7})", text)}
    requests: list[Request] = []
    for action in task.writes:
        kw = action.kwargs
        req = Request(kind=KINDS[action.name], order_id=str(kw.get("order_id") or ""))
        order = orders.get(req.order_id)
        lines = list(order["items"]) if order else []
        if kw.get("reason"):
            req.reason = str(kw["reason"])
        if kw.get("payment_method_id") in methods:
            req.payment = _payment(methods[kw["payment_method_id"]])
        if any(k in kw for k in ("address1", "city")):
            req.address = {k: str(kw.get(k) or "") for k in ADDRESS_KEYS}
        new_ids = list(kw.get("new_item_ids") or ())
        for position, item_id in enumerate(kw.get("item_ids") or ()):
            line = next((ln for ln in lines if ln["item_id"] == item_id), None)
            if line is None or (position < len(new_ids) and new_ids[position] == item_id):
                continue  # a swap into the identical item is no wish (see tau.py)
            item = _item_words(line, lines, rng)
            req.items.append(item)
            if position < len(new_ids):
                new = products[line["product_id"]]["variants"].get(new_ids[position])
                if new is not None:
                    changed = {
                        k: v for k, v in new["options"].items() if line["options"].get(k) != v
                    }
                    req.swaps.append(Swap(item, new["item_id"], dict(new["options"]), changed))
        req.order_names = [ln["name"] for ln in lines]
        named = {i.name for i in req.items}
        req.decoy = next(
            (f"the {ln['name'].lower()}" for ln in lines if req.items and ln["name"] not in named),
            None,
        )
        req.all_items = bool(lines) and len(req.items) == len(lines) and req.kind == "return"
        if req.kind in ("exchange", "modify_items") and not req.swaps:
            continue  # nothing but swaps into the identical items: no wish to voice
        requests.append(req)
    style = Style(
        opener=rng.choice(("everything", "intent_only", "details", "details")),
        correction=rng.choice((None, None, None, "zip", "item")),
        aside=rng.choice(POLICY_ASIDES) if rng.random() < 0.25 else None,
        combine=len(requests) > 1 and rng.random() < 0.4,
    )
    return Goal(
        task_id=task.id,
        user_id=task.user_id,
        first_name=str(user["name"]["first_name"]),
        last_name=str(user["name"]["last_name"]),
        email=str(user["email"]),
        zip=str(user["address"]["zip"]),
        by_email="email" in text.lower() and "@" in text,
        known_orders=known,
        requests=requests,
        hand_off=task.hands_off,
        style=style,
        rng=rng,
    )
