"""The catalog's reads: products, variants, categories. One place builds their queries.

Answers, NLU lookups, the storefront, insights and the CLI call these instead of writing
``select(...)`` themselves, so a change to the catalog tables (or to how a product is loaded
with its variants) is made once. Retrieval (``keyword``, ``embeddings``, ``search``) keeps its
own tuned SQL (docs/performance.md). Every method works inside the caller's session: the
caller decides the unit of work, and returned ORM objects stay usable while it is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Category, PolicyPassage, Product, Variant

MAX_NAME_FILTER_WORDS = 10


@dataclass(frozen=True)
class ProductPage:
    """One page of products in name order and how many match in all."""

    products: list[Product]
    total: int


class CatalogRepository:
    """Catalog queries on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- products ---------------------------------------------------------------------------

    def product(self, product_id: str, *, variants: bool = True) -> Product | None:
        """One product with its category (and variants unless not needed)."""
        options = [selectinload(Product.category)]
        if variants:
            options.append(selectinload(Product.variants))
        return self.session.scalar(
            select(Product).where(Product.id == product_id).options(*options)
        )

    def products(
        self,
        product_ids: Iterable[str],
        *,
        category: Category | None = None,
        variants: bool = True,
    ) -> list[Product]:
        """Products with these ids (any order), their category and variants loaded."""
        ids = list(product_ids)
        if not ids:
            return []
        options = [selectinload(Product.category)]
        if variants:
            options.append(selectinload(Product.variants))
        query = select(Product).where(Product.id.in_(ids)).options(*options)
        if category is not None:
            query = query.where(Product.category_id == category.id)
        return list(self.session.scalars(query).all())

    def products_in_order(self, product_ids: Sequence[str]) -> list[Product]:
        """Products in the given order (a ranking), unknown ids and repeats left out."""
        ordered = list(dict.fromkeys(pid for pid in product_ids if pid))
        by_id = {p.id: p for p in self.products(ordered)}
        return [by_id[pid] for pid in ordered if pid in by_id]

    def product_page(
        self,
        *,
        category: Category | None,
        name_words: str | None,
        page: int,
        page_size: int,
    ) -> ProductPage:
        """A page of products by name, optionally of one category and matching every word
        of ``name_words`` in the name or brand (the storefront's search without the index)."""
        base = select(Product)
        if category is not None:
            base = base.where(Product.category_id == category.id)
        if name_words:
            base = base.where(_name_filter(name_words))
        total = self.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        rows = self.session.scalars(
            base.options(selectinload(Product.variants), selectinload(Product.category))
            .order_by(Product.name, Product.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        return ProductPage(list(rows), int(total))

    def product_names_like(self, words: Iterable[str], limit: int = 200) -> list[str]:
        """Names of products containing any of ``words`` (any case), each name once."""
        query = select(Product.name).where(or_(*(Product.name.ilike(f"%{w}%") for w in words)))
        return list(dict.fromkeys(self.session.scalars(query.limit(limit)).all()))

    def product_count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Product)) or 0)

    def brands(self) -> set[str]:
        """Distinct brand names (empty ones left out)."""
        return {b for b in self.session.scalars(select(Product.brand).distinct()) if b}

    def naming_rows(self) -> list[tuple[str, str | None, dict[str, Any] | None]]:
        """(name, brand, attributes) of every product: what shoppers call things."""
        rows = self.session.execute(select(Product.name, Product.brand, Product.attributes))
        return [(name, brand, attributes) for name, brand, attributes in rows]

    def variant_options(self) -> list[dict[str, Any] | None]:
        """The options of every variant (colour, size, material, ...)."""
        return [options for (options,) in self.session.execute(select(Variant.options))]

    def variants_of_products(self, product_ids: Iterable[str]) -> list[Variant]:
        """Every variant of these products (any order)."""
        return list(
            self.session.scalars(select(Variant).where(Variant.product_id.in_(product_ids))).all()
        )

    def other_variants(self, product_id: str, variant_id: str) -> list[Variant]:
        """The product's variants other than ``variant_id``, by id."""
        return list(
            self.session.scalars(
                select(Variant)
                .where(Variant.product_id == product_id, Variant.id != variant_id)
                .order_by(Variant.id)
            ).all()
        )

    # -- policy passages ------------------------------------------------------------------

    def policy_passages(self, topics: Iterable[str]) -> list[PolicyPassage]:
        """The stored policy passages on these topics (any order)."""
        return list(
            self.session.scalars(
                select(PolicyPassage).where(PolicyPassage.topic.in_(list(topics)))
            ).all()
        )

    # -- categories -------------------------------------------------------------------------

    def category_by_slug(self, slug: str) -> Category | None:
        return self.session.scalar(select(Category).where(Category.slug == slug))

    def categories_with_counts(self) -> list[tuple[Category, int]]:
        """Every category by name with its number of products (empty ones too)."""
        rows = self.session.execute(
            select(Category, func.count(Product.id))
            .join(Product, Product.category_id == Category.id, isouter=True)
            .group_by(Category.id)
            .order_by(Category.name)
        ).all()
        return [(category, count) for category, count in rows]

    def category_names(self) -> dict[str, str]:
        """Lower-case slug and lower-case name -> display name."""
        names: dict[str, str] = {}
        for slug, name in self.session.execute(select(Category.slug, Category.name)):
            names[slug.lower()] = name
            names[name.lower()] = name
        return names


def _name_filter(query: str) -> ColumnElement[bool]:
    """Every word of the query appears in the name or the brand (case-insensitive)."""
    clauses = [
        or_(
            func.lower(Product.name).contains(word, autoescape=True),
            func.lower(Product.brand).contains(word, autoescape=True),
        )
        for word in query.lower().split()[:MAX_NAME_FILTER_WORDS]
    ]
    return and_(*clauses)
