"""Tables of agencies (migration 0013): what admins add or rename, their routing rules, and
every transfer of a ticket between agencies (forward, delegation, bukan wewenang, escalation)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, Text, UniqueConstraint

from bot.adapters.db.columns import created_at, reference
from bot.adapters.db.metadata import table_with_id

AGENCY_CODE = 24  # DESA-1871011001 is 15 characters; room for what admins add

agencies = table_with_id(
    "agencies",
    Column("code", String(AGENCY_CODE), nullable=False),
    Column("name", String(200), nullable=False),
    Column("level", String(10), nullable=False),
    Column("kabupaten_kota", String(100)),
    Column("handles", JSON, nullable=False),
    created_at(),
    UniqueConstraint("code"),
)

routing_rules = table_with_id(
    "routing_rules",
    Column("ticket_kind", String(3), nullable=False),
    Column("subject", String(40), nullable=False),
    Column("kabupaten_kota", String(100)),
    Column("target", String(AGENCY_CODE), nullable=False),
    Column("created_by", String(100), nullable=False),
    created_at(),
)

ticket_transfers = table_with_id(
    "ticket_transfers",
    reference("ticket_id", "tickets", cascade=True, index=True),
    Column("from_agency", String(AGENCY_CODE)),
    Column("to_agency", String(AGENCY_CODE), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("note", Text),
    Column("actor", String(100), nullable=False),
    created_at(),
)
