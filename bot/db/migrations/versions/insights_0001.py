"""customer insight: per-message sentiment, preference-profile facts with evidence, opt-outs

Revision ID: insights_0001
Revises: 0001_shop
Create Date: 2026-11-29 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "insights_0001"
down_revision = "0001_shop"
branch_labels = ("insights",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_message_sentiment",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        "ix_insight_message_sentiment_sender_id", "insight_message_sentiment", ["sender_id"]
    )
    op.create_table(
        "insight_profile_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("evidence_ref", sa.String(length=255), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "kind", "value", "source", "evidence_ref"),
    )
    op.create_index(
        "ix_insight_profile_facts_customer_id", "insight_profile_facts", ["customer_id"]
    )
    op.create_table(
        "insight_profile_optout",
        sa.Column("customer_id", sa.String(length=60), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )


def downgrade() -> None:
    op.drop_table("insight_profile_optout")
    op.drop_index("ix_insight_profile_facts_customer_id", table_name="insight_profile_facts")
    op.drop_table("insight_profile_facts")
    op.drop_index("ix_insight_message_sentiment_sender_id", table_name="insight_message_sentiment")
    op.drop_table("insight_message_sentiment")
