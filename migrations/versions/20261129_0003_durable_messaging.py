"""Durable messaging: inbound store, outbox, and each chat account's latest message time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("platform_id", sa.String(200), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("claimed_by", sa.String(120)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_messages"),
        sa.UniqueConstraint(
            "channel", "platform_id", name="uq_inbound_messages_channel_platform_id"
        ),
    )
    op.create_index(
        "ix_inbound_messages_state_sender", "inbound_messages", ["state", "sender_id", "id"]
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("parts_sent", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(120)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedup_key", name="uq_outbox_dedup_key"),
    )
    op.create_index("ix_outbox_status_sender", "outbox", ["status", "sender_id", "id"])
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(sa.Column("last_inbound_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("chat_identities") as batch:
        batch.drop_column("last_inbound_at")
    op.drop_index("ix_outbox_status_sender", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_inbound_messages_state_sender", table_name="inbound_messages")
    op.drop_table("inbound_messages")
