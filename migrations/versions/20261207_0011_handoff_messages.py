"""Handoff messages: what the resident (and the bot) said during a handoff, kept as it happens.

Officers read a handoff from here, not from Rasa's tracker: the list needs no call
per row, and a transcript stays readable while Rasa is down. ``emergency`` marks a
message the bot answered with 112, so the console can show it first.
"""

from __future__ import annotations

import sqlalchemy as sa

from migrations.columns import create_table, created_at, drop_tables, reference

revision = "0011"
down_revision = "0009"


def upgrade() -> None:
    create_table(
        "handoff_messages",
        reference("handoff_id", "handoff_requests", cascade=True, indexed=True),
        sa.Column("author", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False, server_default=sa.false()),
        created_at(),
    )


def downgrade() -> None:
    drop_tables("handoff_messages")
