"""Staff console: accounts, API tokens, who filed a ticket, handoff routing and replies, ratings."""

from __future__ import annotations

import sqlalchemy as sa

from migrations.columns import (
    area,
    counter,
    create_table,
    created_at,
    drop_tables,
    reference,
    timestamp,
)

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_table(
        "staff_accounts",
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        *area(),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        counter("failed_logins"),
        timestamp("locked_until"),
        timestamp("sessions_valid_after"),
        created_at(),
        unique=["username"],
    )
    create_table(
        "staff_tokens",
        reference("staff_id", "staff_accounts", cascade=True, indexed=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        created_at(),
        timestamp("revoked_at"),
        unique=["token_hash"],
    )
    create_table(
        "ticket_filers",
        reference("ticket_id", "tickets", cascade=True),
        reference("staff_id", "staff_accounts", indexed=True),
        created_at(),
        key="ticket_id",
    )
    create_table(
        "handoff_routes",
        reference("handoff_id", "handoff_requests", cascade=True),
        *area(),
        timestamp("closed_at"),
        sa.Column("closed_by", sa.String(60)),
        key="handoff_id",
    )
    create_table(
        "handoff_replies",
        reference("handoff_id", "handoff_requests", cascade=True, indexed=True),
        reference("staff_id", "staff_accounts"),
        sa.Column("text", sa.Text(), nullable=False),
        created_at(),
    )
    create_table(
        "ticket_ratings",
        reference("ticket_id", "tickets", cascade=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text()),
        created_at(),
        unique=["ticket_id"],
    )


def downgrade() -> None:
    drop_tables(
        "ticket_ratings",
        "handoff_replies",
        "handoff_routes",
        "ticket_filers",
        "staff_tokens",
        "staff_accounts",
    )
