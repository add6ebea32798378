"""Notification outbox: delivery attempts, the latest error, backoff and giving up.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("attempts", "last_error", "next_attempt_at", "failed_at")


def upgrade() -> None:
    # Batch mode: SQLite cannot alter tables in place; PostgreSQL gets plain ALTERs.
    with op.batch_alter_table("notifications") as batch:
        # Existing rows start with no attempts made.
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("last_error", sa.Text()))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
