"""Ratings after `selesai`: the question waiting for each chat account's answer."""

from __future__ import annotations

from migrations.columns import create_table, drop_tables, reference, timestamp

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    create_table(
        "rating_requests",
        reference("identity_id", "chat_identities", cascade=True),
        reference("ticket_id", "tickets", cascade=True),
        timestamp("asked_at", nullable=False),
        unique=["identity_id"],
    )


def downgrade() -> None:
    drop_tables("rating_requests")
