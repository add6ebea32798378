"""Initial system of record: residents, chat identities, officers, tickets and their
attachments and history, audit log, handoff requests, notification outbox."""

from __future__ import annotations

import sqlalchemy as sa

from migrations.columns import area, create_table, created_at, drop_tables, reference, timestamp

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_table(
        "residents",
        sa.Column("full_name", sa.String(200)),
        sa.Column("nik", sa.String(16)),
        sa.Column("phone", sa.String(32)),
        created_at(),
        unique=["nik"],
    )
    create_table(
        "chat_identities",
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        reference("resident_id", "residents", nullable=True, indexed=True),
        created_at(),
        unique=[("channel", "account")],
    )
    create_table(
        "officers",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        *area(),
        reference("chat_identity_id", "chat_identities", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        unique=["chat_identity_id"],
    )
    create_table(
        "tickets",
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(3), nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("document_type", sa.String(40)),
        *area(),
        sa.Column("location_text", sa.Text()),
        sa.Column("latitude", sa.Numeric(9, 6)),
        sa.Column("longitude", sa.Numeric(9, 6)),
        sa.Column("description", sa.Text()),
        sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("status", sa.String(20), nullable=False),
        reference("filed_by_identity_id", "chat_identities", nullable=True),
        reference("resident_id", "residents", nullable=True, indexed=True),
        reference("filed_on_behalf_by", "officers", nullable=True),
        sa.Column("idempotency_key", sa.String(64)),
        created_at(),
        timestamp("updated_at", nullable=False),
        unique=["number", "idempotency_key"],
        indexes={"ix_tickets_filed_by_created": ["filed_by_identity_id", "created_at"]},
    )
    create_table(
        "attachments",
        reference("ticket_id", "tickets", cascade=True, indexed=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(100)),
        sa.Column("caption", sa.Text()),
        created_at(),
    )
    create_table(
        "status_changes",
        reference("ticket_id", "tickets", cascade=True, indexed=True),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("note", sa.Text()),
        created_at(),
    )
    create_table(
        "audit_log",
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(60), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        created_at(),
        indexes={"ix_audit_log_subject": ["subject"]},
    )
    create_table(
        "handoff_requests",
        sa.Column("reference", sa.String(24), nullable=False),
        reference("identity_id", "chat_identities", indexed=True),
        sa.Column("reason", sa.Text()),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        created_at(),
        unique=["reference"],
    )
    create_table(
        "notifications",
        reference("ticket_id", "tickets", cascade=True),
        reference("identity_id", "chat_identities", nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        created_at(),
        timestamp("sent_at"),
        indexes={"ix_notifications_status_created": ["status", "created_at"]},
    )


def downgrade() -> None:
    drop_tables(
        "notifications",
        "handoff_requests",
        "audit_log",
        "status_changes",
        "attachments",
        "tickets",
        "officers",
        "chat_identities",
        "residents",
    )
