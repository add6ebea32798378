"""Durable messaging: inbound store, outbox, and each chat account's latest message time."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.columns import counter, create_table, created_at, drop_tables, timestamp

revision = "0003"
down_revision = "0002"


def _claim() -> tuple[sa.Column, sa.Column]:
    """Which worker holds the row, and until when."""
    return sa.Column("claimed_by", sa.String(120)), timestamp("claimed_until")


def upgrade() -> None:
    create_table(
        "inbound_messages",
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("platform_id", sa.String(200), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        timestamp("received_at", nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        *_claim(),
        counter("attempts"),
        timestamp("done_at"),
        sa.Column("last_error", sa.Text()),
        unique=[("channel", "platform_id")],
        indexes={"ix_inbound_messages_state_sender": ["state", "sender_id", "id"]},
    )
    create_table(
        "outbox",
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        counter("attempts"),
        counter("parts_sent"),
        timestamp("next_attempt_at"),
        *_claim(),
        sa.Column("last_error", sa.Text()),
        created_at(),
        timestamp("sent_at"),
        unique=["dedup_key"],
        indexes={"ix_outbox_status_sender": ["status", "sender_id", "id"]},
    )
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(timestamp("last_inbound_at"))


def downgrade() -> None:
    with op.batch_alter_table("chat_identities") as batch:
        batch.drop_column("last_inbound_at")
    drop_tables("outbox", "inbound_messages")
