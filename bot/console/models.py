"""Console tables: staff, sessions, audit, the conversation summary and hand-offs.

The raw transcript lives in Rasa's ``events`` table (written by the SQL event broker, not by
us; its read model is ``bot.db.events.EVENTS``). Everything the list page filters on is
denormalised into ``conversations`` + ``conversation_facets`` so a page is one index range scan.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


# --- staff and access ---------------------------------------------------------------------
class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # "agent" | "admin"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffSession(Base):
    """Server-side session; the cookie holds a random token, we store only its SHA-256."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")


class LoginAttempt(Base):
    __tablename__ = "staff_login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_ip_at", "ip", "at"),
        Index("ix_login_attempts_email_at", "email", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float)
    success: Mapped[bool] = mapped_column(Boolean)


class LoginBucket(Base):
    """A fixed-window counter of login attempts for one key (account, address or both).

    Taken with one conditional ``UPDATE ... RETURNING`` so parallel attempts cannot all pass
    the check before any of them is counted (bot/console/auth.py).
    """

    __tablename__ = "staff_login_buckets"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    __tablename__ = "console_audit"
    __table_args__ = (Index("ix_console_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    staff_email: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))  # open, reveal, delete, export, reply ...
    sender_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


# --- conversation summary -----------------------------------------------------------------
class Conversation(Base):
    """One row per Rasa conversation (sender id), maintained incrementally by ingest."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_started", "started_at", "id"),
        Index("ix_conversations_fallback_started", "fell_back", "started_at", "id"),
        Index("ix_conversations_handoff_started", "handed_off", "started_at", "id"),
        Index("ix_conversations_resolved_started", "resolved", "started_at", "id"),
        Index("ix_conversations_reviewed_started", "reviewed", "started_at", "id"),
        Index("ix_conversations_sentiment", "min_sentiment", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), unique=True)
    started_at: Mapped[float] = mapped_column(Float)
    last_event_at: Mapped[float] = mapped_column(Float)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(60), default="")
    customer_id: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    customer_email: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    intents: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, display only
    fell_back: Mapped[bool] = mapped_column(Boolean, default=False)
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    last_turn_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    min_sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)
    tags: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, display only
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")  # lower-cased user texts
    pending_user_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    latencies_ms: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ints
    # What happened, folded from the events (bot/console/outcomes.py); analytics reads it.
    outcome: Mapped[str] = mapped_column(Text, default="{}")


class ConversationFacet(Base):
    """Searchable keys of a conversation: ``intent:X``, ``tag:X``, ``order:#X``, ``email:x``.

    ``started_at`` is copied here so one facet filter is an index range in list order.
    """

    __tablename__ = "conversation_facets"
    __table_args__ = (Index("ix_facets_facet_started", "facet", "started_at", "conversation_id"),)

    facet: Mapped[str] = mapped_column(String(255), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    started_at: Mapped[float] = mapped_column(Float)


class IntentCorrection(Base):
    """A reviewer's corrected intent for one user message (kept; exported as NLU data)."""

    __tablename__ = "intent_corrections"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # events.id of the turn
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    text: Mapped[str] = mapped_column(Text)
    predicted_intent: Mapped[str] = mapped_column(String(255), default="")
    corrected_intent: Mapped[str] = mapped_column(String(255))
    # What the bot should have done next (None: what the training rules say follows the
    # intent, bot/console/domain.py); a saved test story expects it instead of the bot's.
    corrected_action: Mapped[str | None] = mapped_column(String(255), nullable=True)
    staff_email: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float)


class Handoff(Base):
    """A request for a person: waiting -> active (taken) -> returned | closed; waiting or active
    -> cancelled when the shopper restarts the conversation ("New conversation")."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status_requested", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # asked | fallback | frustration
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    requested_at: Mapped[float] = mapped_column(Float)
    taken_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    taken_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class IngestState(Base):
    """``last_event_id`` is the watermark: every event id up to it is ingested or given up."""

    __tablename__ = "console_ingest_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)


class IngestedEvent(Base):
    """An event above the watermark that is already folded in (dedup by its primary key).

    Replicas commit out of id order, so ids above the watermark are re-read until the gaps
    below them are filled or old enough to be rolled back (bot/console/ingest.py).
    """

    __tablename__ = "console_ingested_events"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[float] = mapped_column(Float)


# --- PostgreSQL only: trigram index for the free-text filter (best effort) ----------------
TRGM_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS ix_conversations_search_trgm "
    "ON conversations USING gin (search_text gin_trgm_ops)"
)


def create_trigram_index(connection) -> bool:  # type: ignore[no-untyped-def]
    """Add the pg_trgm index that keeps ``LIKE '%text%'`` fast; False if not permitted.

    Needs the ``pg_trgm`` extension (CREATE EXTENSION needs rights the app role may lack);
    without it free-text search still works, as a filtered index walk.
    """
    from sqlalchemy import text

    if connection.dialect.name != "postgresql":
        return False
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            connection.execute(text(TRGM_INDEX_SQL))
    except Exception:  # no privilege: keep going without the index
        import logging

        logging.getLogger(__name__).warning("pg_trgm not available; free-text search unindexed")
        return False
    return True


@event.listens_for(Conversation.__table__, "after_create")
def _after_create(target, connection, **kw) -> None:  # type: ignore[no-untyped-def]
    create_trigram_index(connection)
