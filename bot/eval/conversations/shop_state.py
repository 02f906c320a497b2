"""The shop database side of the suite: put a customer's rows back, read the end state.

Resetting reuses the importer: the τ rows of one customer (the customer, their payment methods,
their orders with lines, fulfilments and transactions) go through ``load_shop_data``, which
writes only what differs from the source. A task only ever touches its own customer's rows
(the product refuses other customers' orders), so this is a full reset at a few rows' cost.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.db.session import Database
from bot.eval.conversations.tau import (
    ADDRESS_KEYS,
    TAU_DIR,
    Movement,
    OrderState,
    UserState,
    money,
    movements,
)
from bot.orders.repository import OrderRepository
from bot.shop.loader import load_shop_data
from bot.shop.records import ShopData
from bot.shop.tau import read_tau


@cache
def _tau_rows(tau_dir: Path) -> ShopData:
    return read_tau(tau_dir)


def reset_customers(db: Database, user_ids: set[str], tau_dir: Path = TAU_DIR) -> int:
    """Restore these customers and everything of theirs to the source; rows rewritten."""
    full = _tau_rows(tau_dir)
    orders = [o for o in full.orders if o["customer_id"] in user_ids]
    ids = {o["id"] for o in orders}
    subset = ShopData(
        source=full.source,
        customers=[c for c in full.customers if c["id"] in user_ids],
        payment_methods=[p for p in full.payment_methods if p["customer_id"] in user_ids],
        orders=orders,
        lines={k: v for k, v in full.lines.items() if k in ids},
        fulfilments={k: v for k, v in full.fulfilments.items() if k in ids},
        transactions={k: v for k, v in full.transactions.items() if k in ids},
    )
    return load_shop_data(db, subset, with_policy=False).changed


def read_orders(db: Database, order_ids: set[str]) -> dict[str, OrderState]:
    """The comparable state of these orders as the product left them."""
    states: dict[str, OrderState] = {}
    with db.session() as s:
        rows = OrderRepository(s).orders_with_lines_and_transactions(sorted(order_ids))
        for order in rows:
            txs: list[Movement] = [
                (t.kind, t.payment_method_id, money(t.amount)) for t in order.transactions
            ]
            states[order.id] = OrderState(
                status=order.status,
                items_modified=order.items_modified,
                cancel_reason=order.cancel_reason,
                address=tuple(str(getattr(order, k) or "").strip() for k in ADDRESS_KEYS),
                items=tuple(sorted(ln.variant_id for ln in order.lines)),
                returned=tuple(sorted(ln.variant_id for ln in order.lines if ln.return_requested)),
                exchanged=tuple(
                    sorted(
                        (ln.variant_id, ln.exchange_variant_id)
                        for ln in order.lines
                        if ln.exchange_variant_id
                    )
                ),
                transactions=movements(txs),
            )
    return states


def read_users(db: Database, user_ids: set[str]) -> dict[str, UserState]:
    with db.session() as s:
        return {
            c.id: UserState(address=tuple(str(getattr(c, k) or "").strip() for k in ADDRESS_KEYS))
            for c in OrderRepository(s).customers(sorted(user_ids))
        }
