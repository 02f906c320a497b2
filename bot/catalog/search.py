"""Catalog and policy search: keyword + semantic rankings fused, then filters, then boosts.

``search_products`` is what the assistant, the answer composer and the storefront call. It
returns ``ProductHit``s that carry the variants that satisfy the shopper's constraints and
a ``why`` list (which signals matched), so an answer can say e.g. "filtered on: up to
$120.00, size 44". ``mode`` switches the ranking signals for the evaluation.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from bot.catalog.cards import product_image, product_url
from bot.catalog.embeddings import semantic_policy_rank, semantic_rank
from bot.catalog.filters import COLOURS, SearchFilters, normalise_size, parse_filters
from bot.catalog.keyword import (
    keyword_policy_rank,
    keyword_policy_rank_zh,
    keyword_rank,
    keyword_rank_zh,
)
from bot.catalog.repository import CatalogRepository
from bot.db.session import Database, Session
from bot.orders.money import money
from bot.texts.segment import has_chinese

log = logging.getLogger(__name__)

Mode = Literal["keyword", "semantic", "hybrid"]
# Fusion settings, chosen on data/eval/retrieval_queries.yml (see docs/retrieval.md, which
# also reports the textbook k=60 / equal weights): a small k lets the top of each ranking
# dominate, and semantic similarity carries more weight because shopper messages are
# sentences whose incidental words ("walking", "night") mislead BM25.
RRF_K = 20
KEYWORD_WEIGHT = 1.0
SEMANTIC_WEIGHT = 1.5
# The Chinese keyword ranking (character pairs) is noisier than the English one (words):
# its weight was chosen on our own Chinese dev queries, never on the blind evaluation set.
KEYWORD_ZH_WEIGHT = 1.0
NAME_BOOST = 0.03
BRAND_BOOST = 0.015


@dataclass(frozen=True)
class VariantHit:
    id: str
    options: dict[str, Any]
    price: Decimal
    currency: str
    available: bool
    stock: int

    @property
    def in_stock(self) -> bool:
        return self.available and self.stock > 0


@dataclass
class ProductHit:
    product_id: str
    name: str
    brand: str
    category: str
    description: str
    min_price: Decimal | None
    max_price: Decimal | None
    currency: str
    in_stock: bool
    variants: list[VariantHit]
    score: float = 0.0
    why: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    name_zh: str | None = None
    description_zh: str | None = None

    @property
    def url(self) -> str:
        return product_url(self.product_id)

    @property
    def image(self) -> str:
        return product_image(self.product_id)


@dataclass
class PassageHit:
    passage_id: str
    topic: str
    title: str
    body: str
    score: float
    why: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------- helpers
@dataclass
class _Candidate:
    """A product row with its variants, read with plain SQL (ORM objects cost 10x more)."""

    id: str
    name: str
    brand: str
    description: str
    category_id: int | None
    category: str
    attributes: dict[str, Any]
    name_zh: str | None = None
    description_zh: str | None = None
    variants: list[VariantHit] = field(default_factory=list)


def _hit(
    product: _Candidate, variants: list[VariantHit], score: float, why: list[str]
) -> ProductHit:
    prices = [v.price for v in variants]
    return ProductHit(
        product_id=product.id,
        name=product.name,
        brand=product.brand or "",
        category=product.category,
        description=product.description or "",
        min_price=min(prices) if prices else None,
        max_price=max(prices) if prices else None,
        currency=variants[0].currency if variants else "USD",
        in_stock=any(v.in_stock for v in variants),
        variants=variants,
        score=score,
        why=why,
        attributes=dict(product.attributes or {}),
        name_zh=product.name_zh,
        description_zh=product.description_zh,
    )


# The filters look at every variant of up to 400 candidates (4,000+ variants for "red trail
# running shoe in size 44" at 100k products); option keys and colour words repeat endlessly,
# so their tests are memoised.
@functools.lru_cache(maxsize=4096)
def _key_matches(key: str, needles: tuple[str, ...]) -> bool:
    lowered = key.lower()
    return any(n in lowered for n in needles)


def _option(options: dict[str, Any], *needles: str) -> list[str]:
    return [str(value).lower() for key, value in options.items() if _key_matches(str(key), needles)]


@functools.lru_cache(maxsize=8192)
def _canon_colour(value: str) -> str:
    return " ".join(COLOURS.get(w, w) for w in re.findall(r"[a-z]+", value.lower()))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9-]+", text.lower()))


def _product_text(product: _Candidate) -> str:
    attrs = " ".join(f"{k} {v}" for k, v in (product.attributes or {}).items())
    return f"{product.name} {product.description} {attrs}".lower()


def _variant_ok(
    v: VariantHit, f: SearchFilters, has: dict[str, bool], text_words: set[str]
) -> bool:
    options = v.options
    if f.max_price is not None and v.price > f.max_price:
        return False
    if f.min_price is not None and v.price < f.min_price:
        return False
    if f.in_stock and not v.in_stock:
        return False
    if f.colour:
        if has["colour"]:
            if not any(f.colour in _canon_colour(val).split() for val in _option(options, "colo")):
                return False
        elif f.colour not in {COLOURS.get(w, w) for w in text_words}:
            return False
    if f.size:
        sizes = _option(options, "size", "waist")
        if not sizes or f.size not in {normalise_size(s) for s in sizes}:
            return False
    if f.material:
        if has["material"]:
            if not any(f.material in val for val in _option(options, "material")):
                return False
        elif f.material.split()[0] not in text_words:
            return False
    return True


def _resolve_categories(session: Session, term: str | None) -> set[int] | None:
    """Category ids whose slug or name contains one of the term's alternatives; None if none."""
    if not term:
        return None
    needles = [t.strip().lower() for t in term.split("|") if t.strip()]
    ids = {
        c.id
        for c in CatalogRepository(session).categories()
        if any(n in c.slug.lower() or n in c.name.lower() for n in needles)
    }
    return ids or None


def _apply_filters(
    product: _Candidate, f: SearchFilters, category_ids: set[int] | None
) -> list[VariantHit] | None:
    """The product's variants that satisfy the filters, or None if the product is excluded."""
    if category_ids is not None and product.category_id not in category_ids:
        return None
    if f.brand and product.brand.lower() != f.brand.lower():
        return None
    has = {
        "colour": any(_option(v.options, "colo") for v in product.variants),
        "material": any(_option(v.options, "material") for v in product.variants),
    }
    words = _words(_product_text(product))
    ok = [v for v in product.variants if _variant_ok(v, f, has, words)]
    return ok or None


def _sort_variants(variants: list[VariantHit]) -> list[VariantHit]:
    return sorted(variants, key=lambda v: (not v.in_stock, v.price, v.id))


@functools.lru_cache(maxsize=65536)
def _parse_options(raw: str | None) -> dict[str, Any]:
    """A variant's options from their stored JSON text (the same few texts recur: sizes,
    colours), parsed once per process; callers get their own copy."""
    value = json.loads(raw) if raw else None
    return value if isinstance(value, dict) else {}


def _load_products(
    session: Session,
    ids: list[str],
    category_ids: set[int] | None = None,
    brand: str | None = None,
) -> dict[str, _Candidate]:
    """Products with their variants; a product outside ``category_ids`` or not of ``brand``
    is left out before its variants are read (the filters would drop it anyway)."""
    if not ids:
        return {}
    rows = CatalogRepository(session).search_rows(ids)
    found = {
        r[0]: _Candidate(
            r[0], r[1], r[2] or "", r[3] or "", r[4], r[5] or "", r[6] or {}, r[7], r[8]
        )
        for r in rows
        if (category_ids is None or r[4] in category_ids)
        and (not brand or (r[2] or "").lower() == brand.lower())
    }
    if not found:
        return found
    for v in CatalogRepository(session).search_variant_rows(list(found)):
        found[v[1]].variants.append(
            VariantHit(
                id=v[0],
                options=dict(_parse_options(v[2])),
                price=money(v[3]),
                currency=v[4] or "USD",
                available=bool(v[5]),
                stock=int(v[6] or 0),
            )
        )
    return found


def _fuse(
    rankings: list[tuple[str, list[tuple[str, float]], float]],
) -> tuple[list[str], dict[str, float], dict[str, list[str]]]:
    """Reciprocal rank fusion; returns ids best first, fused scores and per-id signals."""
    scores: dict[str, float] = {}
    why: dict[str, list[str]] = {}
    for label, ranking, weight in rankings:
        for rank, (pid, raw) in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (RRF_K + rank)
            detail = f"{label} #{rank}" + (f" (cos {raw:.2f})" if label == "semantic" else "")
            why.setdefault(pid, []).append(detail)
    order = sorted(scores, key=lambda pid: (-scores[pid], pid))
    return order, scores, why


def _boosts(product: _Candidate, query: str) -> tuple[float, list[str]]:
    q = " " + re.sub(r"[^a-z0-9]+", " ", query.lower()) + " "
    name = " " + re.sub(r"[^a-z0-9]+", " ", product.name.lower()).strip() + " "
    boost, why = 0.0, []
    if name.strip() and name in q:
        boost += NAME_BOOST
        why.append("exact name match")
    elif product.name_zh and "".join(product.name_zh.split()) in "".join(query.split()):
        boost += NAME_BOOST
        why.append("exact Chinese name match")
    brand = re.sub(r"[^a-z0-9]+", " ", (product.brand or "").lower()).strip()
    if brand and f" {brand} " in q:
        boost += BRAND_BOOST
        why.append("brand match")
    return boost, why


# ------------------------------------------------------------------------ search
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="keyword-search")
        return _executor


def _keyword_in_own_session(db: Database, query: str, depth: int) -> list[tuple[str, float]]:
    with db.session() as session:
        return keyword_rank(session, query, depth)


def _keyword_rankings(
    session: Session, query: str, depth: int, english: list[tuple[str, float]] | None = None
) -> list[tuple[str, list[tuple[str, float]], float]]:
    """The keyword rankings of a message: the English index, and for a message with Chinese
    also the Chinese index (its Latin words, such as a brand, still go to the English one)."""
    if english is None:
        english = keyword_rank(session, query, depth)
    rankings = [("keyword", english, KEYWORD_WEIGHT)]
    if has_chinese(query):
        rankings.append(("keyword zh", keyword_rank_zh(session, query, depth), KEYWORD_ZH_WEIGHT))
    return rankings


def search_products(
    db: Database,
    query: str,
    *,
    filters: SearchFilters | None = None,
    limit: int = 5,
    mode: Mode = "hybrid",
) -> list[ProductHit]:
    """The best ``limit`` products for a shopper's message.

    ``filters=None`` parses them from ``query``; pass ``SearchFilters()`` for none.
    Keyword and semantic rankings are fused with reciprocal rank fusion (``mode="hybrid"``),
    products/variants violating the filters are dropped, exact name/brand mentions boosted.
    """
    query = (query or "").strip()[:500]
    if filters is None:
        filters = parse_filters(query)
    limit = max(1, min(limit, 50))
    depth = 400 if not filters.is_empty() else max(60, limit * 10)
    chinese = has_chinese(query)
    with db.session() as session:
        rankings: list[tuple[str, list[tuple[str, float]], float]] = []
        keyword_future: Future[list[tuple[str, float]]] | None = None
        if mode == "hybrid":
            # The keyword query (SQLite/PostgreSQL) and the model call + matrix product
            # (torch/numpy) all release the GIL: run them side by side on the two cores.
            keyword_future = _pool().submit(_keyword_in_own_session, db, query, depth)
        elif mode == "keyword":
            rankings += _keyword_rankings(session, query, depth)
        if mode in ("semantic", "hybrid"):
            try:
                # A message with Chinese is searched with the multilingual e5 vectors.
                ranking = semantic_rank(db, session, query, depth, multilingual=chinese)
            except Exception:  # the model missing must not take search down
                log.exception("Semantic ranking failed; continuing with keyword only")
                ranking = []
            rankings.append(("semantic", ranking, SEMANTIC_WEIGHT))
        if keyword_future is not None:
            rankings[:0] = _keyword_rankings(session, query, depth, keyword_future.result())
        if mode == "hybrid" or len(rankings) > 1:
            order, scores, why = _fuse(rankings)
        else:
            order, _, why = _fuse(rankings)  # a single ranking keeps its order
            scores = dict(rankings[0][1])  # report the raw BM25 / cosine score
        category_ids = _resolve_categories(session, filters.category)
        applied = filters.describe()
        if filters.category and category_ids is None:
            applied = [a for a in applied if not a.startswith("category")]
        hits: list[ProductHit] = []
        window = max(limit * 4, 20)
        # Candidates are judged window by window (the stopping rule below), but loaded in
        # batches that double in size: a message whose filters reject most candidates
        # ("red trail running shoe in size 44" at 100k products) walks up to 400 of them,
        # and 20 round trips of two queries were most of its 180 ms.
        products: dict[str, _Candidate] = {}
        loaded_until, batch = 0, window
        for start in range(0, len(order), window):
            ids = order[start : start + window]
            if start + len(ids) > loaded_until:
                products.update(
                    _load_products(
                        session,
                        order[loaded_until : start + batch],
                        category_ids,
                        filters.brand,
                    )
                )
                loaded_until, batch = start + batch, batch * 2
            for pid in ids:
                product = products.get(pid)
                if product is None:
                    continue
                variants = _apply_filters(product, filters, category_ids)
                if variants is None:
                    continue
                score, reasons = scores[pid], list(why.get(pid, []))
                if mode == "hybrid":
                    boost, extra = _boosts(product, query)
                    score += boost
                    reasons += extra
                hit = _hit(product, _sort_variants(variants), score, reasons)
                hit.filters = applied
                hits.append(hit)
            # Once enough products passed the filters, lower windows would need a name/brand
            # boost to outrank them; those products rank high on keyword anyway.
            if len(hits) >= limit:
                break
        hits.sort(key=lambda h: (-h.score, h.product_id))
        return hits[:limit]


def category_product_ids(db: Database, category: str, limit: int | None = None) -> list[str]:
    """Ids of a category's products (the category given by slug or name), in id order."""
    with db.session() as session:
        return CatalogRepository(session).product_ids_in_category(category, limit)


def get_product(db: Database, product_id: str) -> ProductHit | None:
    """One product with all its variants (for product pages and follow-up questions)."""
    with db.session() as session:
        product = _load_products(session, [str(product_id).strip()]).get(str(product_id).strip())
        if product is None:
            return None
        return _hit(product, _sort_variants(product.variants), 0.0, [])


# ------------------------------------------------------------------------ policy
def search_policy(
    db: Database,
    query: str,
    limit: int = 3,
    *,
    mode: Mode = "hybrid",
    language: str | None = None,
) -> list[PassageHit]:
    """Policy/FAQ passages for a question, ranked like products (keyword + semantic, RRF).

    ``language`` ("en", "zh") picks which passages answer; by default the question's own
    script decides. Chinese passages are ranked by the Chinese keyword index and the
    multilingual e5 vectors, English ones as before.
    """
    query = (query or "").strip()[:500]
    if language is None:
        language = "zh" if has_chinese(query) else "en"
    chinese = language == "zh"
    with db.session() as session:
        rankings: list[tuple[str, list[tuple[str, float]], float]] = []
        if mode in ("keyword", "hybrid"):
            if chinese:
                rankings.append(("keyword zh", keyword_policy_rank_zh(session, query, 20), 1.0))
            rankings.append(("keyword", keyword_policy_rank(session, query, 20), 1.0))
        if mode in ("semantic", "hybrid"):
            try:
                ranking = semantic_policy_rank(db, session, query, 40, multilingual=chinese)
            except Exception:
                log.exception("Semantic policy ranking failed; keyword only")
                ranking = []
            rankings.append(("semantic", ranking, 1.0))
        languages = CatalogRepository(session).passage_languages()
        rankings = [
            (label, [(pid, s) for pid, s in ranking if languages.get(pid) == language], weight)
            for label, ranking, weight in rankings
        ]
        order, scores, why = _fuse(rankings)
        if not order:
            return []
        top = order[:limit]
        passages = {p.id: p for p in CatalogRepository(session).policy_passages_by_id(top)}
        return [
            PassageHit(
                passage_id=pid,
                topic=passages[pid].topic,
                title=passages[pid].title,
                body=passages[pid].body,
                score=scores[pid],
                why=why.get(pid, []),
            )
            for pid in top
            if pid in passages
        ]
