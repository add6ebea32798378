"""Tables of durable messaging: the inbound store and the outbox (on the ORM's ``metadata``).

``inbound_messages`` holds every platform message from the moment its webhook is
acknowledged until its replies are in the ``outbox``; the unique
(channel, platform_id) pair is the de-duplication of redeliveries. ``outbox``
holds what Tabik sends (replies, notifications, staff messages) until the
platform took it. ``bot.adapters.db.message_queue`` reads and writes them with
SQL Core statements (no mapped classes: rows are claimed and updated in bulk).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint

from bot.adapters.db.columns import counter, created_at, timestamp
from bot.adapters.db.metadata import table_with_id

# inbound_messages.state and outbox.status hold the words of bot.services.message_store.

inbound_messages = table_with_id(
    "inbound_messages",
    Column("channel", String(20), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("sender_id", String(160), nullable=False),
    Column("message", JSON, nullable=False),
    timestamp("received_at", nullable=False),
    Column("state", String(12), nullable=False),
    Column("claimed_by", String(120)),
    timestamp("claimed_until"),
    counter("attempts"),
    timestamp("done_at"),
    Column("last_error", Text),
    UniqueConstraint("channel", "platform_id"),
    # The claim looks for a sender's oldest open message.
    Index("ix_inbound_messages_state_sender", "state", "sender_id", "id"),
)

outbox = table_with_id(
    "outbox",
    Column("sender_id", String(160), nullable=False),  # the recipient, e.g. "wa:62812…"
    Column("channel", String(20), nullable=False),
    Column("kind", String(20), nullable=False),  # reply | notification | staff
    Column("payload", JSON, nullable=False),  # list of Rasa bot-message dicts
    Column("dedup_key", String(200), nullable=False, unique=True),
    Column("status", String(12), nullable=False),
    counter("attempts"),
    # How many payload entries went out already, so a retry resumes, not repeats.
    counter("parts_sent"),
    timestamp("next_attempt_at"),
    Column("claimed_by", String(120)),
    timestamp("claimed_until"),
    Column("last_error", Text),
    created_at(),
    timestamp("sent_at"),
    Index("ix_outbox_status_sender", "status", "sender_id", "id"),
)

__all__ = ["inbound_messages", "outbox"]
