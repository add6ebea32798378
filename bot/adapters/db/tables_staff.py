"""Tables of the staff console: accounts, API tokens, who filed a ticket, handoff routing
and replies, ratings. Migration 0004 creates them; the audit trail uses ``audit_log``.

Queried with SQLAlchemy Core from :mod:`bot.adapters.db.staff_repository`.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    text,
    true,
)

from bot.adapters.db.orm import StrEnum, UtcDateTime, metadata
from bot.domain.staff import Role

staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", StrEnum(Role, 10), nullable=False),
    Column("kabupaten_kota", String(60)),
    Column("kecamatan", String(80)),
    Column("desa", String(80)),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("failed_logins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", UtcDateTime()),
    Column("sessions_valid_after", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
)

staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "staff_id",
        Integer,
        ForeignKey("staff_accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # SHA-256 of the token: a leaked table gives no usable token.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)

ticket_filers = Table(
    "ticket_filers",
    metadata,
    Column("ticket_id", Integer, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff_accounts.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

handoff_routes = Table(
    "handoff_routes",
    metadata,
    Column(
        "handoff_id",
        Integer,
        ForeignKey("handoff_requests.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("kabupaten_kota", String(60)),
    Column("kecamatan", String(80)),
    Column("desa", String(80)),
    Column("closed_at", UtcDateTime()),
    Column("closed_by", String(60)),
)

handoff_replies = Table(
    "handoff_replies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "handoff_id",
        Integer,
        ForeignKey("handoff_requests.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("staff_id", Integer, ForeignKey("staff_accounts.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

ticket_ratings = Table(
    "ticket_ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "ticket_id",
        Integer,
        ForeignKey("tickets.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("score", SmallInteger, nullable=False),
    Column("comment", Text),
    Column("created_at", UtcDateTime(), nullable=False),
)
