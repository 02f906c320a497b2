"""Preference profiles of identified customers, each preference with its evidence.

A profile is rebuilt from two sources and stored as ``ProfileFact`` rows:

* orders: every line bought teaches the product's category and brand, and its size and
  colour (sizes are kept per category: a shoe size says nothing about T-shirts);
* conversations: the shopper's own messages in conversations where they were identified
  (Rasa's ``events``; entities and the catalog's filter parser), plus the preferences the
  session memory recorded ("stated preferences").

Nothing is inferred that cannot be pointed at: each fact names the order or the message
(events row id and a PII-masked excerpt). ``erase_profile`` deletes the facts and records
the request, so later builds skip that customer until ``allow_profile`` is called.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from bot.catalog.filters import parse_filters
from bot.catalog.repository import CatalogRepository
from bot.db.events import events_mentioning, events_of
from bot.db.session import Database, Session
from bot.insights.models import ProfileFact
from bot.insights.repository import ProfileRepository
from bot.memory.state import SessionState
from bot.orders.money import amount_in, plain
from bot.orders.repository import OrderRepository
from bot.safety.pii import mask_pii

log = logging.getLogger(__name__)

KINDS = ("size", "colour", "budget", "category", "brand", "material")
_MEMORY_KEYS = {"size": "size", "colour": "colour", "color": "colour", "budget": "budget",
                "category": "category", "brand": "brand", "material": "material"}  # fmt: skip


@dataclass(frozen=True)
class Evidence:
    source: str  # order | message | memory
    ref: str  # order id, events row id, or sender id
    excerpt: str

    def describe(self) -> str:
        where = {"order": "order", "message": "message", "memory": "conversation"}[self.source]
        return f"{where} {self.ref}: {self.excerpt}"


@dataclass
class Preference:
    kind: str
    value: str
    category: str = ""  # for sizes/colours: which category they were bought/asked for
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.evidence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "category": self.category,
            "weight": self.weight,
            "evidence": [e.__dict__ for e in self.evidence],
        }


@dataclass
class Profile:
    customer_id: str
    preferences: list[Preference] = field(default_factory=list)
    erased: bool = False

    def of(self, kind: str, category: str | None = None) -> list[Preference]:
        """Preferences of a kind, strongest first (optionally only those for a category)."""
        found = [
            p
            for p in self.preferences
            if p.kind == kind and (category is None or not p.category or p.category == category)
        ]
        return sorted(found, key=lambda p: (-p.weight, p.value))

    def top(self, kind: str, category: str | None = None) -> Preference | None:
        found = self.of(kind, category)
        return found[0] if found else None

    def is_empty(self) -> bool:
        return not self.preferences

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "erased": self.erased,
            "preferences": [p.as_dict() for p in self.preferences],
        }


@dataclass(frozen=True)
class _Fact:
    kind: str
    value: str
    source: str
    ref: str
    excerpt: str
    category: str = ""


# -- building ------------------------------------------------------------------------------


def build_profile(
    db: Database, customer_id: str, memories: list[SessionState] | None = None
) -> Profile:
    """Recompute and store the customer's profile from orders, conversations and memory."""
    with db.transaction() as session:
        if ProfileRepository(session).opted_out(customer_id):
            ProfileRepository(session).delete_facts(customer_id)
            return Profile(customer_id, erased=True)
        if OrderRepository(session).customer(customer_id) is None:
            raise LookupError(f"no customer {customer_id!r}")
        facts = _order_facts(session, customer_id)
        facts += _conversation_facts(session, customer_id)
        categories = _category_names(session)
        for memory in memories or []:
            if memory.customer_id in (None, customer_id):
                facts += _memory_facts(memory, categories)
        brand_case = {b.lower(): b for b in _brands(session)}  # "trailmark" -> "Trailmark"
        facts = [
            replace(f, value=brand_case.get(f.value.lower(), f.value)) if f.kind == "brand" else f
            for f in facts
        ]
        ProfileRepository(session).delete_facts(customer_id)
        seen: set[tuple[str, str, str, str]] = set()
        for fact in facts:
            key = (fact.kind, fact.value, fact.source, fact.ref)
            if key in seen:
                continue
            seen.add(key)
            session.add(
                ProfileFact(
                    customer_id=customer_id,
                    kind=fact.kind,
                    value=fact.value[:120],
                    source=fact.source,
                    evidence_ref=fact.ref[:255],
                    excerpt=fact.excerpt[:300],
                    category=fact.category[:80],
                )
            )
    return load_profile(db, customer_id)


def build_all(db: Database) -> int:
    """Rebuild the profile of every customer; returns how many were built."""
    with db.session() as session:
        ids = OrderRepository(session).customer_ids()
    for customer_id in ids:
        build_profile(db, customer_id)
    return len(ids)


def load_profile(db: Database, customer_id: str) -> Profile:
    """The stored profile (empty when never built or erased)."""
    with db.session() as session:
        erased = ProfileRepository(session).opted_out(customer_id)
        rows = ProfileRepository(session).facts(customer_id)
    prefs: dict[tuple[str, str, str], Preference] = {}
    for row in rows:
        key = (row.kind, row.value, row.category if row.kind in ("size", "colour") else "")
        pref = prefs.setdefault(key, Preference(row.kind, row.value, key[2]))
        pref.evidence.append(Evidence(row.source, row.evidence_ref, row.excerpt))
    ordered = sorted(prefs.values(), key=lambda p: (KINDS.index(p.kind), -p.weight, p.value))
    return Profile(customer_id, ordered, erased=erased)


def erase_profile(db: Database, customer_id: str) -> int:
    """Delete the profile and stop building it (the customer's request); returns rows deleted."""
    with db.transaction() as session:
        deleted = ProfileRepository(session).delete_facts(customer_id)
        ProfileRepository(session).opt_out(customer_id)
    log.info("profile of %s erased on request (%s facts)", customer_id, deleted)
    return deleted


def allow_profile(db: Database, customer_id: str) -> None:
    """Undo an erase request (the customer opted back in)."""
    with db.transaction() as session:
        ProfileRepository(session).opt_in(customer_id)


# -- sources -------------------------------------------------------------------------------


def _order_facts(session: Session, customer_id: str) -> list[_Fact]:
    orders = OrderRepository(session).orders_with_lines(customer_id)
    product_ids = {line.product_id for o in orders for line in o.lines}
    products = {p.id: p for p in CatalogRepository(session).products(product_ids, variants=False)}
    facts: list[_Fact] = []
    for order in orders:
        if order.status == "cancelled":
            continue  # a cancelled order taught us little about taste
        for line in order.lines:
            product = products.get(line.product_id)
            category = product.category.name if product and product.category else ""
            opts = ", ".join(f"{k} {v}" for k, v in (line.options or {}).items())
            excerpt = f"{line.name} ({opts})" if opts else line.name
            if category:
                facts.append(_Fact("category", category, "order", order.id, excerpt))
            if product and product.brand:
                facts.append(_Fact("brand", product.brand, "order", order.id, excerpt))
            for key, value in (line.options or {}).items():
                kind = _MEMORY_KEYS.get(str(key).lower())
                if kind in ("size", "colour") and value:
                    facts.append(
                        _Fact(kind, str(value).lower(), "order", order.id, excerpt, category)
                    )
    return facts


def _conversation_facts(session: Session, customer_id: str) -> list[_Fact]:
    rows = events_mentioning(session, customer_id)
    senders = set()
    for sender_id, data in rows:
        event = _json(data)
        is_slot = event.get("event") == "slot" and event.get("name") == "customer_id"
        if is_slot and event.get("value") == customer_id:
            senders.add(sender_id)
    if not senders:
        return []
    brands = _brands(session)
    categories = _category_names(session)
    facts: list[_Fact] = []
    for event_id, data in events_of(session, senders):
        event = _json(data)
        text = event.get("text")
        if event.get("event") != "user" or not isinstance(text, str) or not text.strip():
            continue
        facts += _message_facts(str(event_id), text, event, brands, categories)
    return facts


def _message_facts(
    ref: str, text: str, event: dict[str, Any], brands: set[str], categories: dict[str, str]
) -> list[_Fact]:
    excerpt = mask_pii(text)[:200]
    found = parse_filters(text)
    category = categories.get((found.category or "").lower(), "")
    facts: list[_Fact] = []
    if found.size:
        facts.append(_Fact("size", found.size.lower(), "message", ref, excerpt, category))
    if found.colour:
        facts.append(_Fact("colour", found.colour.lower(), "message", ref, excerpt, category))
    if found.max_price is not None:
        facts.append(_Fact("budget", plain(found.max_price), "message", ref, excerpt))
    if found.material:
        facts.append(_Fact("material", found.material.lower(), "message", ref, excerpt))
    if category:
        facts.append(_Fact("category", category, "message", ref, excerpt))
    lowered = text.lower()
    for brand in brands:
        # not \b: in "我喜欢trailmark的" Chinese characters are word characters too
        if re.search(rf"(?<![a-z0-9]){re.escape(brand.lower())}(?![a-z0-9])", lowered):
            facts.append(_Fact("brand", brand, "message", ref, excerpt))
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        kind = {"color": "colour", "size": "size", "budget": "budget"}.get(str(name))
        if kind and isinstance(value, str | int | float) and str(value).strip():
            value_text = str(value).strip().lower()
            if kind == "budget":
                amount = _amount(value_text)
                if amount is None:
                    continue
                value_text = plain(amount)
            facts.append(_Fact(kind, value_text, "message", ref, excerpt, category))
    return facts


def _memory_facts(memory: SessionState, categories: dict[str, str]) -> list[_Fact]:
    facts: list[_Fact] = []
    for key, value in memory.preferences.items():
        kind = _MEMORY_KEYS.get(key)
        if not kind or not value:
            continue
        value_text = str(value).strip()
        if kind in ("size", "colour"):
            value_text = value_text.lower()
        elif kind == "category":
            value_text = categories.get(value_text.lower(), value_text)
        if kind == "budget":
            amount = _amount(value_text)
            if amount is None:
                continue
            value_text = plain(amount)
        excerpt = f"stated preference: {key} {value}"
        facts.append(_Fact(kind, value_text, "memory", memory.sender_id, excerpt))
    return facts


_amount = amount_in


def _brands(session: Session) -> set[str]:
    return {b for b in CatalogRepository(session).brands() if len(b) > 2}


def _category_names(session: Session) -> dict[str, str]:
    """slug and lower-case name -> display name."""
    return CatalogRepository(session).category_names()


def _json(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def summary_counts(profile: Profile) -> dict[str, int]:
    return dict(Counter(p.kind for p in profile.preferences))
