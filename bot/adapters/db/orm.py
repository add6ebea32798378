"""Tables and the imperative mapping of :mod:`bot.domain.model` classes onto them.

The migrations in ``migrations/versions`` create these tables; ``metadata`` here
must match them (a test compares both). Never ``metadata.create_all``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import registry, relationship

from bot.adapters.db.columns import (
    Coordinate,
    StrEnum,
    area,
    created_at,
    reference,
    timestamp,
)
from bot.adapters.db.metadata import metadata, table_with_id
from bot.domain import model as domain
from bot.domain.tickets import TicketKind

mapper_registry = registry(metadata=metadata)


residents = table_with_id(
    "residents",
    Column("full_name", String(200)),
    # Not unique (migration 0009): a NIK is what an application names, not who is asking.
    Column("nik", String(16), index=True),
    Column("phone", String(32)),
    created_at(),
)

chat_identities = table_with_id(
    "chat_identities",
    Column("channel", String(20), nullable=False),
    Column("account", String(128), nullable=False),
    reference("resident_id", "residents", nullable=True, index=True),
    created_at(),
    UniqueConstraint("channel", "account"),
    # Added by migration 0003: the resident's latest message (WhatsApp's 24-hour window).
    timestamp("last_inbound_at"),
)

officers = table_with_id(
    "officers",
    Column("name", String(200), nullable=False),
    Column("role", StrEnum(domain.OfficerRole, 10), nullable=False),
    *area(),
    reference("chat_identity_id", "chat_identities", nullable=True, unique=True),
    Column("active", Boolean, nullable=False, server_default=true()),
)

tickets = table_with_id(
    "tickets",
    Column("number", String(24), nullable=False, unique=True),
    Column("kind", StrEnum(TicketKind, 3), nullable=False),
    Column("category", String(40)),
    Column("document_type", String(40)),
    *area(),
    Column("location_text", Text),
    Column("latitude", Coordinate()),
    Column("longitude", Coordinate()),
    Column("description", Text),
    Column("private", Boolean, nullable=False, server_default=true()),
    Column("status", StrEnum(domain.TicketStatus), nullable=False),
    reference("filed_by_identity_id", "chat_identities", nullable=True),
    reference("resident_id", "residents", nullable=True, index=True),
    reference("filed_on_behalf_by", "officers", nullable=True),
    Column("idempotency_key", String(64), unique=True),
    # Added by migration 0009: the NIK was already known under another chat account.
    Column("nik_known_elsewhere", Boolean, nullable=False, server_default=false()),
    created_at(),
    timestamp("updated_at", nullable=False),
    # Added by migration 0013: the agency that holds it, the level above that watches it
    # once overdue, and when a paper or phone report really reached an office.
    Column("agency_code", String(24), index=True),
    Column("escalated_to", String(24), index=True),
    timestamp("escalated_at"),
    timestamp("received_at"),
    Index("ix_tickets_filed_by_created", "filed_by_identity_id", "created_at"),
)

attachments = table_with_id(
    "attachments",
    reference("ticket_id", "tickets", cascade=True, index=True),
    Column("kind", String(20), nullable=False),
    Column("ref", String(255), nullable=False),
    Column("mime_type", String(100)),
    Column("caption", Text),
    created_at(),
    Column("added_by", String(100)),  # the officer who attached it (0013); None: the resident
)

status_changes = table_with_id(
    "status_changes",
    reference("ticket_id", "tickets", cascade=True, index=True),
    Column("from_status", StrEnum(domain.TicketStatus)),
    Column("to_status", StrEnum(domain.TicketStatus), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("note", Text),
    created_at(),
)

audit_log = table_with_id(
    "audit_log",
    Column("actor", String(120), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(60), nullable=False, index=True),
    Column("details", JSON, nullable=False),
    created_at(),
)

handoff_requests = table_with_id(
    "handoff_requests",
    Column("reference", String(24), nullable=False, unique=True),
    reference("identity_id", "chat_identities", index=True),
    Column("reason", Text),
    Column("transcript", JSON, nullable=False),
    Column("status", StrEnum(domain.HandoffStatus, 10), nullable=False),
    created_at(),
)


def start_mappers() -> None:
    """Map the domain classes onto the tables; idempotent (called by every session factory)."""
    if getattr(domain.Ticket, "__mapper__", None) is not None:
        return
    mapper_registry.map_imperatively(domain.Resident, residents)
    mapper_registry.map_imperatively(domain.ChatAccount, chat_identities)
    mapper_registry.map_imperatively(domain.Officer, officers)
    mapper_registry.map_imperatively(domain.TicketAttachment, attachments)
    mapper_registry.map_imperatively(domain.StatusChange, status_changes)
    mapper_registry.map_imperatively(
        domain.Ticket,
        tickets,
        properties={
            # Loaded with the ticket in one extra query each, also for lists of tickets.
            "attachments": relationship(
                domain.TicketAttachment,
                order_by=attachments.c.id,
                cascade="all, delete-orphan",
                lazy="selectin",
            ),
            "history": relationship(
                domain.StatusChange,
                order_by=status_changes.c.id,
                cascade="all, delete-orphan",
                lazy="selectin",
            ),
        },
    )
    mapper_registry.map_imperatively(domain.AuditEntry, audit_log)
    mapper_registry.map_imperatively(domain.HandoffRequest, handoff_requests)


# Feature modules define their tables on the same metadata; importing them here
# means whoever holds ``metadata`` sees every table.
from bot.adapters.db import (  # noqa: E402
    tables_agencies,  # noqa: F401
    tables_messaging,  # noqa: F401
    tables_nlu,  # noqa: F401
    tables_ratings,  # noqa: F401
    tables_staff,  # noqa: F401
)
