"""Tables of the staff console: accounts, API tokens, who filed a ticket, handoff routing,
replies and messages, ratings (migrations 0004 and 0011), browser sessions and failed-login
counts (0007); the audit trail uses ``audit_log``.

Queried with SQLAlchemy Core from :mod:`bot.adapters.db.staff_repository`.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, SmallInteger, String, Table, Text, false, true

from bot.adapters.db.columns import StrEnum, area, counter, created_at, reference, timestamp
from bot.adapters.db.metadata import metadata, table_with_id
from bot.domain.staff import Role

staff_accounts = table_with_id(
    "staff_accounts",
    Column("username", String(40), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", StrEnum(Role, 10), nullable=False),
    *area(),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    counter("failed_logins"),
    timestamp("locked_until"),
    timestamp("sessions_valid_after"),
    created_at(),
    Column("agency_code", String(24)),  # an officer of one agency (0013)
)

staff_tokens = table_with_id(
    "staff_tokens",
    reference("staff_id", "staff_accounts", cascade=True, index=True),
    # SHA-256 of the token: a leaked table gives no usable token.
    Column("token_hash", String(64), nullable=False, unique=True),
    created_at(),
    timestamp("revoked_at"),
)

# A browser session: the cookie carries a random id, only its SHA-256 is kept. Logout
# (or ``staff revoke``) ends it here, so a copied cookie is refused by every instance.
staff_sessions = table_with_id(
    "staff_sessions",
    reference("staff_id", "staff_accounts", cascade=True, index=True),
    Column("session_hash", String(64), nullable=False, unique=True),
    created_at(),
    timestamp("expires_at", nullable=False),
    timestamp("ended_at"),
)

# Failed-login counts while the key-value store (Redis) is unreachable: the instances
# keep counting together (bot.adapters.db.login_counters).
staff_login_counters = Table(
    "staff_login_counters",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("count", Integer, nullable=False),
    timestamp("expires_at", nullable=False),
)

ticket_filers = Table(
    "ticket_filers",
    metadata,
    reference("ticket_id", "tickets", cascade=True, primary_key=True),
    reference("staff_id", "staff_accounts", index=True),
    created_at(),
)

handoff_routes = Table(
    "handoff_routes",
    metadata,
    reference("handoff_id", "handoff_requests", cascade=True, primary_key=True),
    *area(),
    timestamp("closed_at"),
    Column("closed_by", String(60)),
)

handoff_replies = table_with_id(
    "handoff_replies",
    reference("handoff_id", "handoff_requests", cascade=True, index=True),
    reference("staff_id", "staff_accounts"),
    Column("text", Text, nullable=False),
    created_at(),
)

# What the resident and the bot said during a handoff (migration 0011); officers'
# replies stay in handoff_replies. ``author`` is "resident" or "bot".
handoff_messages = table_with_id(
    "handoff_messages",
    reference("handoff_id", "handoff_requests", cascade=True, index=True),
    Column("author", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("emergency", Boolean, nullable=False, server_default=false()),
    created_at(),
)

ticket_ratings = table_with_id(
    "ticket_ratings",
    reference("ticket_id", "tickets", cascade=True, unique=True),
    Column("score", SmallInteger, nullable=False),
    Column("comment", Text),
    created_at(),
)
