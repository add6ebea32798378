"""Tables of the admins' NLU tooling: the inbox of poorly understood messages, the
models trained as candidates (with their held-out figures) and where each was deployed.

Plain SQLAlchemy Core tables on the shared ``metadata``; migration ``0005`` creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Table, Text

from bot.adapters.db.columns import created_at, reference, timestamp
from bot.adapters.db.metadata import metadata, table_with_id

# One row per normalised text: what the admin reviews (label or ignore).
nlu_inbox_items = table_with_id(
    "nlu_inbox_items",
    Column("normalised", String(500), nullable=False, unique=True),
    # The newest occurrence as typed, NIKs and phone numbers already masked.
    Column("text", Text, nullable=False),
    Column("intent", String(60)),
    Column("confidence", Float),
    Column("reason", String(20), nullable=False),
    Column("count", Integer, nullable=False),
    # open | labelled | ignored
    Column("state", String(10), nullable=False),
    Column("label", String(60)),
    timestamp("first_seen", nullable=False),
    timestamp("last_seen", nullable=False),
    timestamp("reviewed_at"),
    Index("ix_nlu_inbox_items_state_last_seen", "state", "last_seen"),
)

# One row per resident message counted, so a message flagged twice (fallback and then
# "bukan itu") or scanned twice is counted once.
nlu_inbox_occurrences = table_with_id(
    "nlu_inbox_occurrences",
    Column("event_id", Integer, nullable=False, unique=True),
    reference("item_id", "nlu_inbox_items", cascade=True, index=True),
    Column("reason", String(20), nullable=False),
    timestamp("seen_at", nullable=False),
)

# How far each tracker store's event log has been read (named by TrackerEventLog.source).
nlu_inbox_cursor = Table(
    "nlu_inbox_cursor",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("last_event_id", Integer, nullable=False),
)

nlu_models = table_with_id(
    "nlu_models",
    Column("name", String(120), nullable=False, unique=True),
    Column("fingerprint", String(64), nullable=False),
    Column("path", Text, nullable=False),
    # The latest held-out evaluation: {"candidate": …, "current": …, "verdict": …}.
    Column("evaluation", JSON),
    created_at(),
)

model_deployments = table_with_id(
    "model_deployments",
    Column("instance", String(255), nullable=False),
    Column("model", String(120), nullable=False),
    # What the instance ran before (what a rollback goes back to).
    Column("previous_model", String(120)),
    # deployed | failed
    Column("status", String(10), nullable=False),
    Column("error", Text),
    Column("longest_wait_ms", Integer),
    timestamp("deployed_at", nullable=False),
    Index("ix_model_deployments_instance_id", "instance", "id"),
)
