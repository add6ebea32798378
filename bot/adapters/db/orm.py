"""Tables and the imperative mapping of :mod:`bot.domain.model` classes onto them.

The migrations in ``migrations/versions`` create these tables; ``metadata`` here
must match them (a test compares both). Never ``metadata.create_all``.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

from bot.domain import model as domain
from bot.domain.tickets import TicketKind

# Deterministic constraint names, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
mapper_registry = registry(metadata=metadata)

COORDINATE_EXPONENT = Decimal("0.000001")


class UtcDateTime(TypeDecorator):  # type: ignore[misc]
    """Aware UTC datetimes in and out; SQLite keeps no zone, so naive means UTC there."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the system of record stores aware UTC times")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Coordinate(TypeDecorator):  # type: ignore[misc]
    """Numeric(9, 6) degrees as Decimal. SQLite has no decimal type and stores a float;
    9 significant digits survive a double exactly, so quantising gives the value back."""

    impl = Numeric(9, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(9, 6, asdecimal=False))
        return dialect.type_descriptor(Numeric(9, 6))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value).quantize(COORDINATE_EXPONENT, rounding=ROUND_HALF_EVEN)
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(COORDINATE_EXPONENT, rounding=ROUND_HALF_EVEN)


class StrEnum(TypeDecorator):  # type: ignore[misc]
    """A ``str`` enum stored by value in a VARCHAR (no native enum: new words need no DDL)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 20) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(self.enum_class(value).value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> enum.Enum | None:
        return None if value is None else self.enum_class(value)


def _created_at() -> Column:
    return Column("created_at", UtcDateTime(), nullable=False)


residents = Table(
    "residents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("full_name", String(200)),
    Column("nik", String(16), unique=True),
    Column("phone", String(32)),
    _created_at(),
)

chat_identities = Table(
    "chat_identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("account", String(128), nullable=False),
    Column("resident_id", Integer, ForeignKey("residents.id"), index=True),
    _created_at(),
    UniqueConstraint("channel", "account"),
    # Added by migration 0003: the resident's latest message (WhatsApp's 24-hour window).
    Column("last_inbound_at", UtcDateTime()),
)

officers = Table(
    "officers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", StrEnum(domain.OfficerRole, 10), nullable=False),
    Column("kabupaten_kota", String(60)),
    Column("kecamatan", String(80)),
    Column("desa", String(80)),
    Column("chat_identity_id", Integer, ForeignKey("chat_identities.id"), unique=True),
    Column("active", Boolean, nullable=False, server_default=true()),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(24), nullable=False, unique=True),
    Column("kind", StrEnum(TicketKind, 3), nullable=False),
    Column("category", String(40)),
    Column("document_type", String(40)),
    Column("kabupaten_kota", String(60)),
    Column("kecamatan", String(80)),
    Column("desa", String(80)),
    Column("location_text", Text),
    Column("latitude", Coordinate()),
    Column("longitude", Coordinate()),
    Column("description", Text),
    Column("private", Boolean, nullable=False, server_default=true()),
    Column("status", StrEnum(domain.TicketStatus), nullable=False),
    Column("filed_by_identity_id", Integer, ForeignKey("chat_identities.id")),
    Column("resident_id", Integer, ForeignKey("residents.id"), index=True),
    Column("filed_on_behalf_by", Integer, ForeignKey("officers.id")),
    Column("idempotency_key", String(64), unique=True),
    _created_at(),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_tickets_filed_by_created", "filed_by_identity_id", "created_at"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "ticket_id",
        Integer,
        ForeignKey("tickets.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(20), nullable=False),
    Column("ref", String(255), nullable=False),
    Column("mime_type", String(100)),
    Column("caption", Text),
    _created_at(),
)

status_changes = Table(
    "status_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "ticket_id",
        Integer,
        ForeignKey("tickets.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("from_status", StrEnum(domain.TicketStatus)),
    Column("to_status", StrEnum(domain.TicketStatus), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("note", Text),
    _created_at(),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor", String(120), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(60), nullable=False, index=True),
    Column("details", JSON, nullable=False),
    _created_at(),
)

handoff_requests = Table(
    "handoff_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(24), nullable=False, unique=True),
    Column("identity_id", Integer, ForeignKey("chat_identities.id"), nullable=False, index=True),
    Column("reason", Text),
    Column("transcript", JSON, nullable=False),
    Column("status", StrEnum(domain.HandoffStatus, 10), nullable=False),
    _created_at(),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("identity_id", Integer, ForeignKey("chat_identities.id")),
    Column("status", StrEnum(domain.NotificationStatus, 10), nullable=False),
    Column("payload", JSON, nullable=False),
    _created_at(),
    Column("sent_at", UtcDateTime()),
    # Added by migration 0002 (delivery attempts and backoff).
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("next_attempt_at", UtcDateTime()),
    Column("failed_at", UtcDateTime()),
    Index("ix_notifications_status_created", "status", "created_at"),
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
    mapper_registry.map_imperatively(domain.Notification, notifications)


# Feature modules define their tables on the same metadata; importing them here
# means whoever holds ``metadata`` sees every table.
from bot.adapters.db import (  # noqa: E402
    tables_messaging,  # noqa: F401
    tables_nlu,  # noqa: F401
    tables_ratings,  # noqa: F401
    tables_staff,  # noqa: F401
)
