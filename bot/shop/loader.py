"""Write a :class:`ShopData` into the database in ONE transaction, idempotently.

Order matters for foreign keys: categories, products, variants, customers, payment methods,
orders, then each order's lines, fulfilments and transactions, and the policy passages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.db import models as m
from bot.db.session import Database, DatabaseError
from bot.shop.errors import ShopDataError
from bot.shop.records import Row, ShopData
from bot.shop.repository import (
    Counts,
    category_ids_by_slug,
    count_rows,
    sync_children,
    sync_rows,
    table_of,
)
from bot.texts.segment import index_text

log = logging.getLogger(__name__)

# (label, total) announced before a stage; then (label, rows done) as it goes.
StageStart = Callable[[str, int], None]
StageAdvance = Callable[[str, int], None]


@dataclass
class ImportReport:
    source: str
    tables: dict[str, Counts] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.tables.values())


def policy_passage_rows() -> tuple[list[Row], str | None]:
    """The shop policy passages from ``bot.orders.policy`` (written by the orders area).

    Imported lazily: the shop data can load before the policy module exists, and then the
    report says so instead of failing.
    """
    try:
        from bot.orders.policy import load_all_policy_passages
    except ImportError:
        return [], "policy passages not loaded: bot.orders.policy.load_all_policy_passages missing"
    try:
        passages = load_all_policy_passages()
    except (OSError, ValueError) as exc:
        raise ShopDataError(f"the shop policy passages could not be read: {exc}") from exc
    rows: list[Row] = []
    for passage in passages:
        get = passage.get if isinstance(passage, dict) else lambda k, p=passage: getattr(p, k)
        rows.append(
            {
                "id": str(get("id")),
                "topic": str(get("topic")),
                "title": str(get("title")),
                "body": str(get("body")),
                "language": str(get("language")),
                "search_zh": index_text(str(get("title")), str(get("body")))
                if get("language") == "zh"
                else "",
            }
        )
    return rows, None


def load_shop_data(
    db: Database,
    data: ShopData,
    *,
    with_policy: bool = True,
    on_start: StageStart | None = None,
    on_advance: StageAdvance | None = None,
) -> ImportReport:
    """Upsert everything in ``data``; nothing is written unless all of it succeeds."""
    started = time.perf_counter()
    report = ImportReport(source=data.source)
    if with_policy:
        passages, note = policy_passage_rows()
        data.policy_passages = passages
        if note:
            report.notes.append(note)

    def stage(label: str, total: int) -> Callable[[int], None]:
        if on_start:
            on_start(label, total)
        return lambda n: on_advance(label, n) if on_advance else None

    try:
        with db.transaction() as session:
            report.tables["categories"] = sync_rows(
                session,
                table_of(m.Category),
                data.categories,
                key="slug",
                advance=stage("categories", len(data.categories)),
            )
            slug_to_id = category_ids_by_slug(session)
            products = [_with_category_id(p, slug_to_id) for p in data.products]
            steps: list[tuple[str, Any, list[Row]]] = [
                ("products", table_of(m.Product), products),
                ("variants", table_of(m.Variant), data.variants),
                ("customers", table_of(m.Customer), data.customers),
                ("payment methods", table_of(m.PaymentMethod), data.payment_methods),
                ("orders", table_of(m.Order), data.orders),
            ]
            for label, table, rows in steps:
                report.tables[label] = sync_rows(
                    session, table, rows, advance=stage(label, len(rows))
                )
            children = [
                ("order lines", table_of(m.OrderLine), data.lines),
                ("fulfilments", table_of(m.Fulfilment), data.fulfilments),
                ("transactions", table_of(m.Transaction), data.transactions),
            ]
            for label, table, by_order in children:
                report.tables[label] = sync_children(
                    session,
                    table,
                    by_order,
                    advance=stage(label, count_rows(by_order.values())),
                )
            if with_policy:
                report.tables["policy passages"] = sync_rows(
                    session,
                    table_of(m.PolicyPassage),
                    data.policy_passages,
                    advance=stage("policy passages", len(data.policy_passages)),
                )
    except DatabaseError as exc:
        log.exception("shop import from %s failed; rolled back", data.source)
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise ShopDataError(
            f"the database rejected the {data.source} data, nothing was written: {reason}"
        ) from exc
    report.seconds = time.perf_counter() - started
    log.info(
        "shop import %s: %d rows created or updated in %.2fs",
        data.source,
        report.changed,
        report.seconds,
    )
    return report


def _with_category_id(product: Row, slug_to_id: dict[str, int]) -> Row:
    row = {k: v for k, v in product.items() if k != "category_slug"}
    slug = product.get("category_slug")
    row["category_id"] = slug_to_id.get(slug) if slug else None
    return row
