"""Notification outbox: delivery attempts, the latest error, backoff and giving up."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.columns import counter, timestamp

revision = "0002"
down_revision = "0001"


def _columns() -> list[sa.Column]:
    return [
        counter("attempts"),  # existing rows start with no attempts made
        sa.Column("last_error", sa.Text()),
        timestamp("next_attempt_at"),
        timestamp("failed_at"),
    ]


def upgrade() -> None:
    # Batch mode: SQLite cannot alter tables in place; PostgreSQL gets plain ALTERs.
    with op.batch_alter_table("notifications") as batch:
        for column in _columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
