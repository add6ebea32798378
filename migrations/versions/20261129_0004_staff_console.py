"""Staff console: accounts, API tokens, who filed a ticket, handoff routing and replies,
ratings.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("kabupaten_kota", sa.String(60)),
        sa.Column("kecamatan", sa.String(80)),
        sa.Column("desa", sa.String(80)),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _at("locked_until"),
        _at("sessions_valid_after"),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_accounts"),
        sa.UniqueConstraint("username", name="uq_staff_accounts_username"),
    )
    op.create_table(
        "staff_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _at("created_at", nullable=False),
        _at("revoked_at"),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name="fk_staff_tokens_staff_id_staff_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_staff_tokens_token_hash"),
    )
    op.create_index("ix_staff_tokens_staff_id", "staff_tokens", ["staff_id"])
    op.create_table(
        "ticket_filers",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_ticket_filers_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_accounts.id"], name="fk_ticket_filers_staff_id_staff_accounts"
        ),
        sa.PrimaryKeyConstraint("ticket_id", name="pk_ticket_filers"),
    )
    op.create_index("ix_ticket_filers_staff_id", "ticket_filers", ["staff_id"])
    op.create_table(
        "handoff_routes",
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("kabupaten_kota", sa.String(60)),
        sa.Column("kecamatan", sa.String(80)),
        sa.Column("desa", sa.String(80)),
        _at("closed_at"),
        sa.Column("closed_by", sa.String(60)),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoff_requests.id"],
            name="fk_handoff_routes_handoff_id_handoff_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("handoff_id", name="pk_handoff_routes"),
    )
    op.create_table(
        "handoff_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoff_requests.id"],
            name="fk_handoff_replies_handoff_id_handoff_requests",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_accounts.id"], name="fk_handoff_replies_staff_id_staff_accounts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_replies"),
    )
    op.create_index("ix_handoff_replies_handoff_id", "handoff_replies", ["handoff_id"])
    op.create_table(
        "ticket_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text()),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_ticket_ratings_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_ratings"),
        sa.UniqueConstraint("ticket_id", name="uq_ticket_ratings_ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("ticket_ratings")
    op.drop_index("ix_handoff_replies_handoff_id", table_name="handoff_replies")
    op.drop_table("handoff_replies")
    op.drop_table("handoff_routes")
    op.drop_index("ix_ticket_filers_staff_id", table_name="ticket_filers")
    op.drop_table("ticket_filers")
    op.drop_index("ix_staff_tokens_staff_id", table_name="staff_tokens")
    op.drop_table("staff_tokens")
    op.drop_table("staff_accounts")
