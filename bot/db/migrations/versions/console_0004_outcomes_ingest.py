"""console: conversation outcomes, corrected next action, ingest dedup of out-of-order events

Revision ID: console_0004_outcomes_ingest
Revises: console_0003_login_buckets
Create Date: 2026-12-05 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_0004_outcomes_ingest"
down_revision = "console_0003_login_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "conversations", sa.Column("outcome", sa.Text(), nullable=False, server_default="{}")
    )
    op.add_column(
        "intent_corrections", sa.Column("corrected_action", sa.String(length=255), nullable=True)
    )
    op.create_table(
        "console_ingested_events",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def downgrade() -> None:
    op.drop_table("console_ingested_events")
    op.drop_column("intent_corrections", "corrected_action")
    op.drop_column("conversations", "outcome")
