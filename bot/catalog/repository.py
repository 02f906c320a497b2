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

from sqlalchemy import ColumnElement, Row, String, and_, cast, func, insert, or_, select
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

    def embedded_products(self) -> list[Product]:
        """Products that have a stored embedding."""
        return list(
            self.session.scalars(select(Product).where(Product.embedding.is_not(None))).all()
        )

    def all_variants(self) -> list[Variant]:
        return list(self.session.scalars(select(Variant)).all())

    def add_rows(
        self,
        *,
        categories: list[dict[str, Any]] | None = None,
        products: list[dict[str, Any]] | None = None,
        variants: list[dict[str, Any]] | None = None,
    ) -> None:
        """Bulk-insert plain rows (the benchmark's generated catalog), categories first."""
        for category in categories or []:
            self.session.execute(insert(Category), [category])
        if products:
            self.session.execute(insert(Product), products)
        if variants:
            self.session.execute(insert(Variant), variants)

    def search_rows(self, product_ids: list[str]) -> list[Row[Any]]:
        """(id, name, brand, description, category_id, category name, attributes, name_zh,
        description_zh) of these products: the columns search ranks, filters and shows,
        without loading ORM objects."""
        return list(
            self.session.execute(
                select(
                    Product.id,
                    Product.name,
                    Product.brand,
                    Product.description,
                    Product.category_id,
                    Category.name,
                    Product.attributes,
                    Product.name_zh,
                    Product.description_zh,
                )
                .outerjoin(Category, Category.id == Product.category_id)
                .where(Product.id.in_(product_ids))
            ).all()
        )

    def search_variant_rows(self, product_ids: list[str]) -> list[Row[Any]]:
        """(id, product_id, options as JSON text, price, currency, available, stock) of these
        products' variants, by id (the options' text is parsed once per distinct text)."""
        return list(
            self.session.execute(
                select(
                    Variant.id,
                    Variant.product_id,
                    cast(Variant.options, String),
                    Variant.price,
                    Variant.currency,
                    Variant.available,
                    Variant.stock,
                )
                .where(Variant.product_id.in_(product_ids))
                .order_by(Variant.id)
            )
        )

    def product_ids_in_category(self, category: str, limit: int | None = None) -> list[str]:
        """Ids of a category's products (the category given by slug or name), in id order."""
        query = (
            select(Product.id)
            .join(Category, Category.id == Product.category_id)
            .where((Category.slug == category) | (Category.name == category))
            .order_by(Product.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return list(self.session.scalars(query))

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

    def passage_languages(self) -> dict[str, str]:
        """Policy passage id -> its language ("en", "zh")."""
        rows = self.session.execute(select(PolicyPassage.id, PolicyPassage.language)).all()
        return {r[0]: r[1] for r in rows}

    def policy_passages_by_id(self, passage_ids: Iterable[str]) -> list[PolicyPassage]:
        """The stored policy passages with these ids (any order)."""
        return list(
            self.session.scalars(
                select(PolicyPassage).where(PolicyPassage.id.in_(list(passage_ids)))
            ).all()
        )

    def policy_passages(
        self, topics: Iterable[str], language: str | None = None
    ) -> list[PolicyPassage]:
        """The stored policy passages on these topics (any order), in one language if given."""
        query = select(PolicyPassage).where(PolicyPassage.topic.in_(list(topics)))
        if language is not None:
            query = query.where(PolicyPassage.language == language)
        return list(self.session.scalars(query).all())

    # -- categories -------------------------------------------------------------------------

    def categories(self) -> list[Category]:
        return list(self.session.scalars(select(Category)).all())

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
