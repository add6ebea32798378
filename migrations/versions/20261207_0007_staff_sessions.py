"""Staff browser sessions kept on the server (logout and revocation end them everywhere),
and failed-login counts for when Redis is unreachable."""

from __future__ import annotations

import sqlalchemy as sa

from migrations.columns import create_table, created_at, drop_tables, reference, timestamp

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    create_table(
        "staff_sessions",
        reference("staff_id", "staff_accounts", cascade=True, indexed=True),
        sa.Column("session_hash", sa.String(64), nullable=False),
        created_at(),
        timestamp("expires_at", nullable=False),
        timestamp("ended_at"),
        unique=["session_hash"],
    )
    create_table(
        "staff_login_counters",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        timestamp("expires_at", nullable=False),
        key="key",
    )


def downgrade() -> None:
    drop_tables("staff_login_counters", "staff_sessions")
