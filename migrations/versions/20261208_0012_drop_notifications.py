"""Status notifications go into the outbox with the status change: ``notifications`` goes.

A status change now queues the resident's message (and the rating question after
``selesai``) in ``outbox`` in its own transaction, so the notifier's table and its copy
loop are gone. Rows still pending here when upgrading are not carried over: let the
old notifier empty the table first. Downgrading recreates it empty, as 0002 left it.
"""

from __future__ import annotations

import sqlalchemy as sa

from migrations.columns import counter, create_table, created_at, drop_tables, reference, timestamp

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    drop_tables("notifications")


def downgrade() -> None:
    create_table(
        "notifications",
        reference("ticket_id", "tickets", cascade=True),
        reference("identity_id", "chat_identities", nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        created_at(),
        timestamp("sent_at"),
        counter("attempts"),
        sa.Column("last_error", sa.Text()),
        timestamp("next_attempt_at"),
        timestamp("failed_at"),
        indexes={"ix_notifications_status_created": ["status", "created_at"]},
    )
