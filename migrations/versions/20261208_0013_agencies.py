"""Agencies: the office that holds each ticket, forwards between offices, escalation, and
the date a paper or phone report was really received.

The catalogue of agencies is derived from the gazetteer (``bot/domain/agencies.py``);
``agencies`` keeps only what admins add or rename, ``routing_rules`` the rules they
add on top of the default routing. ``tickets.agency_code`` is the holder,
``escalated_to`` the level above that watches an overdue ticket (the holder stays),
``received_at`` when the report reached an office (service levels count from it;
null: when it was filed). ``ticket_transfers`` records every forward, delegation,
"bukan wewenang" and escalation: from, to, who, why. Officers may belong to one
agency (``staff_accounts.agency_code``); ``attachments.added_by`` names the officer
who attached a photo of the result.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.columns import create_table, created_at, drop_tables, reference, timestamp

revision = "0013"
down_revision = "0012"

CODE = 24  # DESA-1871011001 is 15; room for what admins add


def upgrade() -> None:
    create_table(
        "agencies",
        sa.Column("code", sa.String(CODE), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("kabupaten_kota", sa.String(100)),
        sa.Column("handles", sa.JSON(), nullable=False),
        created_at(),
        unique=["code"],
    )
    create_table(
        "routing_rules",
        sa.Column("ticket_kind", sa.String(3), nullable=False),
        sa.Column("subject", sa.String(40), nullable=False),
        sa.Column("kabupaten_kota", sa.String(100)),
        sa.Column("target", sa.String(CODE), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        created_at(),
    )
    create_table(
        "ticket_transfers",
        reference("ticket_id", "tickets", cascade=True, indexed=True),
        sa.Column("from_agency", sa.String(CODE)),
        sa.Column("to_agency", sa.String(CODE), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("actor", sa.String(100), nullable=False),
        created_at(),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("agency_code", sa.String(CODE)))
        batch.add_column(sa.Column("escalated_to", sa.String(CODE)))
        batch.add_column(timestamp("escalated_at"))
        batch.add_column(timestamp("received_at"))
        batch.create_index("ix_tickets_agency_code", ["agency_code"])
        batch.create_index("ix_tickets_escalated_to", ["escalated_to"])
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("agency_code", sa.String(CODE)))
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("added_by", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("added_by")
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("agency_code")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_escalated_to")
        batch.drop_index("ix_tickets_agency_code")
        batch.drop_column("received_at")
        batch.drop_column("escalated_at")
        batch.drop_column("escalated_to")
        batch.drop_column("agency_code")
    drop_tables("ticket_transfers", "routing_rules", "agencies")
