"""The shop import's storage: idempotent bulk upserts, and counts of what the shop holds.

Upserts compare incoming rows with stored ones and write only differences.

Why not ``INSERT ... ON CONFLICT``: it differs between SQLite and PostgreSQL and cannot tell
"updated" from "unchanged", which the import summary reports. Reading the stored rows by key
in chunks and issuing one executemany INSERT and one executemany UPDATE is portable and
fast (the τ-bench import is a few thousand rows).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from bot.db import models as m
from bot.orders.money import plain
from bot.shop.errors import ShopDataError
from bot.shop.records import Row

CHUNK = 500
Advance = Callable[[int], None]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def comparable(value: Any) -> Any:
    """A value in a form that compares equal however the database returned it.

    SQLite gives naive datetimes and may widen Decimals; JSON columns may come back with
    keys in another order.
    """
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sync_rows(
    session: Session,
    table: Table,
    rows: list[Row],
    key: str = "id",
    advance: Advance | None = None,
) -> Counts:
    """Upsert ``rows`` into ``table`` by the unique column ``key``; returns what changed."""
    counts = Counts()
    if not rows:
        return counts
    columns = list(rows[0])
    seen: set[Any] = set()
    for row in rows:
        if row[key] in seen:
            raise ShopDataError(f"{table.name}: the {key} {row[key]!r} occurs twice in the source")
        seen.add(row[key])

    existing: dict[Any, RowMapping] = {}
    keys = [row[key] for row in rows]
    selected = [table.c[c] for c in columns]
    for chunk in _chunks(keys):
        query = select(*selected).where(table.c[key].in_(chunk))
        for found in session.execute(query).mappings():
            existing[found[key]] = found

    to_insert: list[Row] = []
    to_update: list[Row] = []
    for row in rows:
        stored = existing.get(row[key])
        if stored is None:
            to_insert.append(row)
        elif any(comparable(stored[c]) != comparable(row[c]) for c in columns):
            changed = {c: row[c] for c in columns if c != key}
            changed["b_key"] = row[key]
            to_update.append(changed)
        else:
            counts.unchanged += 1
    for chunk in _chunks(to_insert):
        session.execute(insert(table), list(chunk))
        if advance:
            advance(len(chunk))
    if to_update:
        statement = update(table).where(table.c[key] == bindparam("b_key"))
        for chunk in _chunks(to_update):
            session.execute(statement, list(chunk))
            if advance:
                advance(len(chunk))
    counts.created = len(to_insert)
    counts.updated = len(to_update)
    if advance:
        advance(counts.unchanged)
    return counts


def sync_children(
    session: Session,
    table: Table,
    by_parent: dict[str, list[Row]],
    parent_key: str = "order_id",
    advance: Advance | None = None,
) -> Counts:
    """Make each parent's child rows equal to the given list (compared as a multiset).

    Children have auto-numbered ids, so their identity is their content: an order whose
    children already match is left alone; otherwise its children are replaced. ``created``
    counts rows of parents that had none, ``updated`` rows written for parents that differed.
    """
    counts = Counts()
    parents = list(by_parent)
    if not parents:
        return counts
    sample = next((rows[0] for rows in by_parent.values() if rows), None)
    columns = [c for c in (sample or {}) if c != parent_key]
    stored: dict[str, list[tuple[Any, ...]]] = {}
    if columns:
        selected = [table.c[parent_key], *(table.c[c] for c in columns)]
        for chunk in _chunks(parents):
            for row in session.execute(select(*selected).where(table.c[parent_key].in_(chunk))):
                stored.setdefault(row[0], []).append(tuple(comparable(v) for v in row[1:]))
    else:  # every parent has zero children: only deletions can be needed
        for chunk in _chunks(parents):
            for (parent,) in session.execute(
                select(table.c[parent_key]).where(table.c[parent_key].in_(chunk))
            ):
                stored.setdefault(parent, []).append(())

    to_delete: list[str] = []
    to_insert: list[Row] = []
    for parent, rows in by_parent.items():
        wanted = sorted(tuple(comparable(row[c]) for c in columns) for row in rows)
        have = sorted(stored.get(parent, []))
        if wanted == have:
            counts.unchanged += len(rows)
            continue
        if have:
            to_delete.append(parent)
            counts.updated += len(rows)
        else:
            counts.created += len(rows)
        to_insert.extend({parent_key: parent, **row} for row in rows)
    for chunk in _chunks(to_delete):
        session.execute(delete(table).where(table.c[parent_key].in_(chunk)))
    for chunk in _chunks(to_insert):
        session.execute(insert(table), list(chunk))
        if advance:
            advance(len(chunk))
    if advance:
        advance(counts.unchanged)
    return counts


def count_rows(rows: Iterable[list[Row]]) -> int:
    return sum(len(group) for group in rows)


def table_of(model: type[m.Base]) -> Table:
    """The Core table behind a model (bulk statements skip the ORM unit of work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def category_ids_by_slug(session: Session) -> dict[str, int]:
    """Category slug -> id of every stored category."""
    return {
        slug: category_id
        for slug, category_id in session.execute(select(m.Category.slug, m.Category.id))
    }


# -- counts ---------------------------------------------------------------------------------


def shop_counts(s: Session) -> list[tuple[str, int]]:
    """(label, count) pairs in display order; grouped counts get one row per value."""
    rows: list[tuple[str, int]] = []

    def count(model: type[m.Base], *where: Any) -> int:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def grouped(label: str, column: Any) -> None:
        result = s.execute(select(column, func.count()).group_by(column).order_by(column))
        for value, n in result:
            rows.append((f"{label}: {value}", int(n)))

    rows.append(("categories", count(m.Category)))
    rows.append(("products", count(m.Product)))
    rows.append(("variants", count(m.Variant)))
    rows.append(("variants in stock", count(m.Variant, m.Variant.available, m.Variant.stock > 0)))
    rows.append(("customers", count(m.Customer)))
    rows.append(("payment methods", count(m.PaymentMethod)))
    grouped("payment methods", m.PaymentMethod.kind)
    rows.append(("orders", count(m.Order)))
    grouped("orders", m.Order.status)
    rows.append(("order lines", count(m.OrderLine)))
    rows.append(("fulfilments", count(m.Fulfilment)))
    rows.append(("transactions", count(m.Transaction)))
    grouped("transactions", m.Transaction.kind)
    rows.append(("policy passages", count(m.PolicyPassage)))
    return rows


def product_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(m.Product)) or 0)
