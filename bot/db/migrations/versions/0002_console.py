"""staff console: staff, sessions, audit, conversation summary, hand-offs

Revision ID: 0002_console
Revises: 0001_shop
Create Date: 2026-11-29 23:50:00

Rasa's own ``events`` table is NOT created here: the SQL event broker creates it.
Self-contained (the trigram index DDL is copied from ``bot.console.models`` as it was then).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0002_console"
down_revision = "0001_shop"
branch_labels = ("console",)
depends_on = None


def upgrade() -> None:

    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("staff_email", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"], unique=False)
    op.create_index(
        op.f("ix_console_audit_sender_id"), "console_audit", ["sender_id"], unique=False
    )
    op.create_table(
        "console_ingest_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("last_event_at", sa.Float(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=60), nullable=False),
        sa.Column("customer_id", sa.String(length=60), nullable=True),
        sa.Column("customer_email", sa.String(length=200), nullable=True),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("intents", sa.Text(), nullable=False),
        sa.Column("fell_back", sa.Boolean(), nullable=False),
        sa.Column("handed_off", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("last_turn_failed", sa.Boolean(), nullable=False),
        sa.Column("min_sentiment", sa.Float(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("pending_user_ts", sa.Float(), nullable=True),
        sa.Column("latencies_ms", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sender_id"),
    )
    op.create_index(
        op.f("ix_conversations_customer_email"), "conversations", ["customer_email"], unique=False
    )
    op.create_index(
        op.f("ix_conversations_customer_id"), "conversations", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_conversations_fallback_started",
        "conversations",
        ["fell_back", "started_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_conversations_handoff_started",
        "conversations",
        ["handed_off", "started_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_conversations_resolved_started",
        "conversations",
        ["resolved", "started_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_conversations_reviewed_started",
        "conversations",
        ["reviewed", "started_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_conversations_sentiment", "conversations", ["min_sentiment", "started_at"], unique=False
    )
    op.create_index("ix_conversations_started", "conversations", ["started_at", "id"], unique=False)
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.Float(), nullable=False),
        sa.Column("taken_by", sa.String(length=200), nullable=True),
        sa.Column("taken_at", sa.Float(), nullable=True),
        sa.Column("closed_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_handoffs_sender_id"), "handoffs", ["sender_id"], unique=False)
    op.create_index(
        "ix_handoffs_status_requested", "handoffs", ["status", "requested_at"], unique=False
    )
    op.create_table(
        "intent_corrections",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_intent", sa.String(length=255), nullable=False),
        sa.Column("corrected_intent", sa.String(length=255), nullable=False),
        sa.Column("staff_email", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        op.f("ix_intent_corrections_sender_id"), "intent_corrections", ["sender_id"], unique=False
    )
    op.create_table(
        "staff_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_login_attempts_email_at", "staff_login_attempts", ["email", "at"], unique=False
    )
    op.create_index("ix_login_attempts_ip_at", "staff_login_attempts", ["ip", "at"], unique=False)
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "conversation_facets",
        sa.Column("facet", sa.String(length=255), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("facet", "conversation_id"),
    )
    op.create_index(
        op.f("ix_conversation_facets_conversation_id"),
        "conversation_facets",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        "ix_facets_facet_started",
        "conversation_facets",
        ["facet", "started_at", "conversation_id"],
        unique=False,
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_staff_sessions_expires_at"), "staff_sessions", ["expires_at"], unique=False
    )
    _create_trigram_index(op.get_bind())


TRGM_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS ix_conversations_search_trgm "
    "ON conversations USING gin (search_text gin_trgm_ops)"
)


def _create_trigram_index(connection: Connection) -> None:
    """The pg_trgm index for ``LIKE '%text%'``; skipped without the right to add pg_trgm."""
    if connection.dialect.name != "postgresql":
        return
    try:
        with connection.begin_nested():
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            connection.execute(sa.text(TRGM_INDEX_SQL))
    except Exception:  # no privilege: keep going without the index
        logging.getLogger(__name__).warning("pg_trgm not available; free-text search unindexed")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_conversations_search_trgm")
    op.drop_table("staff_sessions")
    op.drop_table("conversation_facets")
    op.drop_table("staff_users")
    op.drop_table("staff_login_attempts")
    op.drop_table("intent_corrections")
    op.drop_table("handoffs")
    op.drop_table("conversations")
    op.drop_table("console_ingest_state")
    op.drop_table("console_audit")
