"""Tables of durable messaging: the inbound store and the outbox (on the ORM's ``metadata``).

``inbound_messages`` holds every platform message from the moment its webhook is
acknowledged until its replies are in the ``outbox``; the unique
(channel, platform_id) pair is the de-duplication of redeliveries. ``outbox``
holds what Tabik sends (replies, notifications, staff messages) until the
platform took it. The services in ``bot.services.inbound`` and
``bot.services.outbox`` read and write them with SQL Core statements (no
mapped classes: rows are claimed and updated in bulk).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, UniqueConstraint, text

from bot.adapters.db.orm import UtcDateTime, metadata

# inbound_messages.state
PENDING = "pending"
PROCESSING = "processing"
DONE = "done"
FAILED = "failed"

# outbox.status (PENDING and FAILED as above)
SENDING = "sending"
SENT = "sent"

inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("sender_id", String(160), nullable=False),
    Column("message", JSON, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("state", String(12), nullable=False),
    Column("claimed_by", String(120)),
    Column("claimed_until", UtcDateTime()),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("done_at", UtcDateTime()),
    Column("last_error", Text),
    UniqueConstraint("channel", "platform_id"),
    # The claim looks for a sender's oldest open message.
    Index("ix_inbound_messages_state_sender", "state", "sender_id", "id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(160), nullable=False),  # the recipient, e.g. "wa:62812…"
    Column("channel", String(20), nullable=False),
    Column("kind", String(20), nullable=False),  # reply | notification | staff
    Column("payload", JSON, nullable=False),  # list of Rasa bot-message dicts
    Column("dedup_key", String(200), nullable=False, unique=True),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    # How many payload entries went out already, so a retry resumes, not repeats.
    Column("parts_sent", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UtcDateTime()),
    Column("claimed_by", String(120)),
    Column("claimed_until", UtcDateTime()),
    Column("last_error", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Index("ix_outbox_status_sender", "status", "sender_id", "id"),
)

__all__ = [
    "DONE",
    "FAILED",
    "PENDING",
    "PROCESSING",
    "SENDING",
    "SENT",
    "inbound_messages",
    "outbox",
]
