"""Recommendations that say why: profile + session memory + catalog search.

Candidates come from the shopper's message (catalog search) and from the categories the
profile or the session names; each candidate scores on the signals it satisfies (the right
size in stock for that category, a liked colour, a brand bought before, the budget) and
carries a sentence built only from those signals and their evidence, e.g. "you bought size
44 in Footwear before (order #S1000185)". Products already bought are not recommended again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.catalog.filters import parse_filters
from bot.catalog.repository import CatalogRepository
from bot.catalog.search import (
    ProductHit,
    VariantHit,
    category_product_ids,
    get_product,
    search_products,
)
from bot.db.session import Database
from bot.dialogue.replies import Reply
from bot.insights.profiles import Preference, Profile, build_profile, load_profile
from bot.memory.base import SessionMemory
from bot.memory.state import SessionState
from bot.orders.money import amount_in
from bot.orders.repository import OrderRepository
from bot.texts import money as format_money
from bot.texts import t

log = logging.getLogger(__name__)

POOL_PER_CATEGORY = 40
_GENERIC = re.compile(
    r"\b(recommend\w*|suggest\w*|something|anything|for me|what should i|ideas?|gift|"
    r"please|can you|could you|show me|what do you|some|me|i|a|an)\b",
    re.IGNORECASE,
)


@dataclass
class Recommendation:
    product: ProductHit
    reason: str
    score: float
    signals: list[str] = field(default_factory=list)


@dataclass
class _Wants:
    """What we believe the shopper wants, each with the words that explain it."""

    categories: list[tuple[str, str]] = field(default_factory=list)  # (category, why)
    # category|"" -> (size, why given the size as shown)
    sizes: dict[str, tuple[str, Callable[[str], str]]] = field(default_factory=dict)
    colours: list[tuple[str, str]] = field(default_factory=list)
    brands: list[tuple[str, str]] = field(default_factory=list)
    budget: tuple[Decimal, str] | None = None


def recommend(
    db: Database,
    customer_id: str | None,
    memory: SessionState | None,
    limit: int = 3,
    query: str = "",
) -> list[Recommendation]:
    """Up to ``limit`` products for this shopper, best first, each with a reason."""
    profile = _profile(db, customer_id)
    wants = _wants(db, profile, memory, query)
    bought = _bought(db, customer_id)
    candidates: dict[str, tuple[ProductHit, float]] = {}
    content = _GENERIC.sub(" ", query or "").strip(" ?!.,")
    if content:
        try:
            found = search_products(db, query, limit=20)
        except Exception:
            log.exception("catalog search failed for a recommendation")
            found = []
        for rank, hit in enumerate(found):
            candidates[hit.product_id] = (hit, 1.0 / (rank + 2))
    # A shopper who names what they want gets that, ranked by their profile; otherwise the
    # profile's and the session's categories supply the candidates.
    if not candidates:
        for category, _why in wants.categories[:3]:
            for hit in _category_pool(db, category):
                candidates.setdefault(hit.product_id, (hit, 0.0))
    scored = [
        _score(hit, base, wants)
        for pid, (hit, base) in candidates.items()
        if pid not in bought and hit.in_stock
    ]
    scored.sort(key=lambda r: (-r.score, r.product.product_id))
    picked: list[Recommendation] = []
    skipped: list[Recommendation] = []
    per_category: dict[str, int] = {}
    for rec in scored:  # keep some variety when the profile spans categories
        crowded = per_category.get(rec.product.category, 0) >= max(1, limit - 1)
        if crowded and not content:
            skipped.append(rec)
            continue
        per_category[rec.product.category] = per_category.get(rec.product.category, 0) + 1
        picked.append(rec)
        if len(picked) == limit:
            break
    picked += skipped[: limit - len(picked)]
    return picked


# -- what the shopper wants ----------------------------------------------------------------


def _profile(db: Database, customer_id: str | None) -> Profile | None:
    if not customer_id:
        return None
    profile = load_profile(db, customer_id)
    if profile.is_empty() and not profile.erased:
        try:
            profile = build_profile(db, customer_id)
        except LookupError:
            return None
    return None if profile.erased else profile


def _evidence_phrase(pref: Preference) -> str:
    ev = pref.evidence[0]
    if ev.source == "order":
        return t("recommend.evidence.order", order_id=ev.ref)
    if ev.source == "memory":
        return t("recommend.evidence.memory")
    return t("recommend.evidence.said", excerpt=ev.excerpt[:60])


def _size_why(key: str, category: str, evidence: str) -> Callable[[str], str]:
    """Why a size fits, once the size is known as the shop writes it."""
    return lambda size: t(key, size=size, category=category, evidence=evidence)


def _wants(
    db: Database, profile: Profile | None, memory: SessionState | None, query: str
) -> _Wants:
    wants = _Wants()
    said = parse_filters(query or "")
    stated = dict(memory.preferences) if memory else {}
    category_names = _category_names(db)
    if said.category:
        name = category_names.get(said.category.lower(), said.category)
        wants.categories.append((name, t("recommend.why.category_asked", category=name)))
    if stated.get("category"):
        name = category_names.get(str(stated["category"]).lower(), str(stated["category"]))
        wants.categories.append((name, t("recommend.why.category_stated", category=name)))
    if said.size:
        wants.sizes[""] = (
            said.size.lower(),
            lambda size: t("recommend.why.size_asked", size=size),
        )
    elif stated.get("size"):
        wants.sizes[""] = (
            str(stated["size"]).lower(),
            lambda size: t("recommend.why.size_stated", size=size),
        )
    colour = said.colour or stated.get("colour") or stated.get("color")
    if colour:
        wants.colours.append((str(colour).lower(), t("recommend.why.colour_asked")))
    budget = said.max_price or _money(stated.get("budget"))
    if budget is not None:
        wants.budget = (budget, t("recommend.why.budget_asked", budget=format_money(budget)))
    if profile is not None:
        for pref in profile.of("category")[:3]:
            if pref.value not in [c for c, _ in wants.categories]:
                why = t(
                    "recommend.why.category_often",
                    category=pref.value,
                    evidence=_evidence_phrase(pref),
                )
                wants.categories.append((pref.value, why))
        for category, _why in wants.categories:
            size = profile.top("size", category)
            if size and category not in wants.sizes and size.category == category:
                key = (
                    "recommend.why.size_bought"
                    if size.evidence[0].source == "order"
                    else "recommend.why.size_asked_before"
                )
                wants.sizes[category] = (
                    size.value,
                    _size_why(key, category, _evidence_phrase(size)),
                )
        for pref in profile.of("colour")[:2]:
            wants.colours.append((pref.value, t("recommend.why.colour_before", colour=pref.value)))
        for pref in profile.of("brand")[:3]:
            wants.brands.append((pref.value, t("recommend.why.brand_before", brand=pref.value)))
        if wants.budget is None and profile.top("budget"):
            top = profile.top("budget")
            assert top is not None
            wants.budget = (
                Decimal(top.value),
                t("recommend.why.budget_mentioned", budget=format_money(Decimal(top.value))),
            )
    return wants


_money = amount_in


# -- candidates and scoring ----------------------------------------------------------------


def _category_names(db: Database) -> dict[str, str]:
    with db.session() as session:
        return CatalogRepository(session).category_names()


def _category_pool(db: Database, category: str) -> list[ProductHit]:
    """Products of a category (by name or slug), via the catalog's product loader."""
    ids = category_product_ids(db, category, limit=POOL_PER_CATEGORY)
    hits = [get_product(db, pid) for pid in ids]
    return [h for h in hits if h is not None]


def _bought(db: Database, customer_id: str | None) -> set[str]:
    if not customer_id:
        return set()
    with db.session() as session:
        return OrderRepository(session).bought_product_ids(customer_id)


def _option(variant: VariantHit, *names: str) -> str:
    for key, value in variant.options.items():
        if str(key).lower() in names:
            return str(value).lower()
    return ""


def _score(hit: ProductHit, base: float, wants: _Wants) -> Recommendation:
    score = base
    reasons: list[tuple[int, str]] = []  # (priority, words)
    signals: list[str] = []
    stocked = [v for v in hit.variants if v.in_stock]
    for rank, (category, why) in enumerate(wants.categories):
        if hit.category == category:
            score += 1.0 - 0.2 * rank  # the strongest category first
            reasons.append((3, why))
            signals.append(f"category:{category}")
            break
    size_want = wants.sizes.get(hit.category) or wants.sizes.get("")
    if size_want and any(v for v in hit.variants if _option(v, "size")):
        size, size_why = size_want
        fitting = [v for v in stocked if _option(v, "size") == size]
        if fitting:
            score += 1.5
            stocked = fitting
            reasons.append((0, size_why(size.upper())))
            signals.append(f"size:{size}")
        else:
            score -= 1.0  # the shopper's size is not available
    for colour, why in wants.colours:
        if any(colour in _option(v, "colour", "color") for v in stocked):
            score += 0.6
            reasons.append((4, t("recommend.why.comes_in", colour=colour, why=why)))
            signals.append(f"colour:{colour}")
            break
    for brand, why in wants.brands:
        if hit.brand and hit.brand.lower() == brand.lower():
            score += 0.8
            reasons.append((1, why))
            signals.append(f"brand:{brand}")
            break
    if wants.budget is not None:
        budget, why = wants.budget
        affordable = [v for v in stocked if v.price <= budget]
        if affordable:
            score += 0.5
            cheapest = format_money(min(v.price for v in affordable))
            reasons.append((2, t("recommend.why.from_price", price=cheapest, why=why)))
            signals.append(f"budget:{budget}")
        else:
            score -= 2.0
    if not reasons:
        key = "recommend.why.matches" if base else "recommend.why.in_stock"
        reasons.append((5, t(key)))
    texts = [text for _, text in sorted(reasons)][:3]  # more is noise to a shopper
    reason = texts[0][0].upper() + texts[0][1:]  # a no-op for scripts without case
    reason = t("recommend.reason", reasons=t("list.semicolon").join([reason, *texts[1:]]))
    return Recommendation(hit, reason, round(score, 3), signals)


def recommendation_reply(
    db: Database,
    memory_store: SessionMemory | None,
    sender_id: str,
    customer_id: str | None,
    text: str,
    limit: int = 3,
) -> Reply:
    """The bot's answer to "recommend me something": picks, reasons and product cards."""
    from bot.catalog.cards import product_cards_payload
    from bot.dialogue.replies import usd

    state: SessionState | None = None
    if memory_store is not None:
        try:
            state = memory_store.load(sender_id)
        except Exception:  # memory down: recommend from the profile alone
            log.warning("session memory unavailable for a recommendation", exc_info=True)
    try:
        picks = recommend(db, customer_id, state, limit=limit, query=text)
    except Exception:
        log.exception("recommendation failed for %s", sender_id)
        return Reply(t("recommend.failed"))
    if not picks:
        return Reply(t("recommend.ask_more"))
    lines = []
    for rec in picks:
        hit = rec.product
        price = usd(hit.min_price) if hit.min_price is not None else t("product.price_on_request")
        lines.append(t("recommend.line", name=hit.name, price=price, reason=rec.reason))
    if memory_store is not None:
        ids = [r.product.product_id for r in picks]
        try:
            memory_store.update(sender_id, lambda s: s.saw_products(ids, recommended=True))
        except Exception:
            log.warning("could not remember the recommended products", exc_info=True)
    # The picks are listed once with why each was picked; the cards (each with its own "Ask
    # about this") show them, so no "More about" button repeats the list.
    return Reply(
        t("recommend.picks", lines="\n".join(lines)),
        payload=product_cards_payload([r.product for r in picks]),
    )
