"""Customer-insight tables: per-message sentiment and preference-profile facts with evidence.

Listed in ``bot.schema``; created by the Alembic revision ``0003_insights``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class MessageSentiment(Base):
    """The sentiment of one shopper message, keyed by the Rasa ``events`` row id."""

    __tablename__ = "insight_message_sentiment"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    label: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProfileFact(Base):
    """One thing we learned about a customer's taste, and where we learned it.

    ``source`` is ``message`` (``evidence_ref`` = events row id or sender id, ``excerpt`` = the
    words) or ``order`` (``evidence_ref`` = order id, ``excerpt`` = the line bought).
    """

    __tablename__ = "insight_profile_facts"
    __table_args__ = (UniqueConstraint("customer_id", "kind", "value", "source", "evidence_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # size|colour|budget|category|brand
    value: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(10))  # message|order
    evidence_ref: Mapped[str] = mapped_column(String(255))
    excerpt: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="")  # what the size/colour was for
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProfileOptOut(Base):
    """A customer asked us to erase and stop building their preference profile."""

    __tablename__ = "insight_profile_optout"

    customer_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
