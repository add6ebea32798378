"""Initial system of record: residents, chat identities, officers, tickets and their
attachments and history, audit log, handoff requests, notification outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(200)),
        sa.Column("nik", sa.String(16)),
        sa.Column("phone", sa.String(32)),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_residents"),
        sa.UniqueConstraint("nik", name="uq_residents_nik"),
    )
    op.create_table(
        "chat_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("resident_id", sa.Integer()),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_chat_identities"),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name="fk_chat_identities_resident_id_residents"
        ),
        sa.UniqueConstraint("channel", "account", name="uq_chat_identities_channel_account"),
    )
    op.create_index("ix_chat_identities_resident_id", "chat_identities", ["resident_id"])
    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("kabupaten_kota", sa.String(60)),
        sa.Column("kecamatan", sa.String(80)),
        sa.Column("desa", sa.String(80)),
        sa.Column("chat_identity_id", sa.Integer()),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name="pk_officers"),
        sa.ForeignKeyConstraint(
            ["chat_identity_id"],
            ["chat_identities.id"],
            name="fk_officers_chat_identity_id_chat_identities",
        ),
        sa.UniqueConstraint("chat_identity_id", name="uq_officers_chat_identity_id"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(3), nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("document_type", sa.String(40)),
        sa.Column("kabupaten_kota", sa.String(60)),
        sa.Column("kecamatan", sa.String(80)),
        sa.Column("desa", sa.String(80)),
        sa.Column("location_text", sa.Text()),
        sa.Column("latitude", sa.Numeric(9, 6)),
        sa.Column("longitude", sa.Numeric(9, 6)),
        sa.Column("description", sa.Text()),
        sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("filed_by_identity_id", sa.Integer()),
        sa.Column("resident_id", sa.Integer()),
        sa.Column("filed_on_behalf_by", sa.Integer()),
        sa.Column("idempotency_key", sa.String(64)),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.ForeignKeyConstraint(
            ["filed_by_identity_id"],
            ["chat_identities.id"],
            name="fk_tickets_filed_by_identity_id_chat_identities",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name="fk_tickets_resident_id_residents"
        ),
        sa.ForeignKeyConstraint(
            ["filed_on_behalf_by"], ["officers.id"], name="fk_tickets_filed_on_behalf_by_officers"
        ),
        sa.UniqueConstraint("number", name="uq_tickets_number"),
        sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
    )
    op.create_index("ix_tickets_resident_id", "tickets", ["resident_id"])
    op.create_index(
        "ix_tickets_filed_by_created", "tickets", ["filed_by_identity_id", "created_at"]
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(100)),
        sa.Column("caption", sa.Text()),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_attachments_ticket_id_tickets",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_attachments_ticket_id", "attachments", ["ticket_id"])
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("note", sa.Text()),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_status_changes"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_status_changes_ticket_id_tickets",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_status_changes_ticket_id", "status_changes", ["ticket_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(60), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(24), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_requests"),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["chat_identities.id"],
            name="fk_handoff_requests_identity_id_chat_identities",
        ),
        sa.UniqueConstraint("reference", name="uq_handoff_requests_reference"),
    )
    op.create_index("ix_handoff_requests_identity_id", "handoff_requests", ["identity_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer()),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _created_at(),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_notifications_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["chat_identities.id"],
            name="fk_notifications_identity_id_chat_identities",
        ),
    )
    op.create_index("ix_notifications_status_created", "notifications", ["status", "created_at"])


def downgrade() -> None:
    for table in (
        "notifications",
        "handoff_requests",
        "audit_log",
        "status_changes",
        "attachments",
        "tickets",
        "officers",
        "chat_identities",
        "residents",
    ):
        op.drop_table(table)
