"""The embedding store: vectors kept next to product and policy-passage rows.

What to embed and how vectors are searched is bot/catalog/embeddings.py; these are its reads
and writes, inside the caller's session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.db.models import PolicyPassage, Product

Embedded = type[Product] | type[PolicyPassage]


class EmbeddingStore:
    """Embedding reads and writes on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def products_to_describe(self) -> list[Product]:
        """Every product with its variants and category loaded (what its text is made of)."""
        return list(
            self.session.scalars(
                select(Product).options(
                    selectinload(Product.variants), joinedload(Product.category)
                )
            ).all()
        )

    def policy_passages(self) -> list[PolicyPassage]:
        return list(self.session.scalars(select(PolicyPassage)).all())

    def write_vectors(self, model: Embedded, rows: list[dict[str, Any]]) -> None:
        """Store ``{"id", "embedding", "embedding_hash", ...}`` rows (one executemany)."""
        self.session.execute(update(model), rows)

    def signature(self, model: Embedded, column: str = "embedding") -> tuple[Any, ...]:
        """A value that changes whenever the table's vectors in ``column`` change."""
        digest = getattr(model, f"{column}_hash")
        if model is PolicyPassage:
            # A handful of rows: the exact list of hashes is cheap and never misses a change.
            rows = self.session.execute(
                select(PolicyPassage.id, digest).order_by(PolicyPassage.id)
            ).all()
            return tuple(tuple(r) for r in rows)
        # Products: embedding writes also touch updated_at, so count + newest change suffices.
        row = self.session.execute(
            select(func.count(digest), func.count(), func.max(Product.updated_at))
        ).one()
        return tuple(row)

    def vectors(self, model: Embedded, column: str = "embedding") -> list[tuple[str, bytes]]:
        """(id, vector bytes) of every row that has a vector in ``column``."""
        vector = getattr(model, column)
        rows = self.session.execute(select(model.id, vector).where(vector.is_not(None))).all()
        return [(r[0], r[1]) for r in rows]
