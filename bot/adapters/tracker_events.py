"""Read-only access to Rasa's SQL tracker store (``TRACKER_STORE_URL``), event by event.

Rasa's ``SQLTrackerStore`` appends every event of every conversation to one
``events`` table (``rasa/core/tracker_store.py``, ``SQLEvent``) with an increasing
``id``; reading it after a remembered id sees each event once. Tabik never writes here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Column, Float, MetaData, String, Table, Text, inspect, select
from sqlalchemy.engine import Engine

from bot.adapters.db.columns import id_column
from bot.services.conversation_log import TrackerEvent

_rasa = MetaData()
events = Table(
    "events",
    _rasa,
    id_column(),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def _event(row: Any) -> TrackerEvent:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        data = {}
    return TrackerEvent(
        id=int(row.id),
        sender_id=str(row.sender_id),
        type_name=str(row.type_name),
        timestamp=float(row.timestamp or 0.0),
        intent_name=row.intent_name,
        action_name=row.action_name,
        data=data if isinstance(data, dict) else {},
    )


class TrackerEventLog:
    """The :class:`~bot.services.conversation_log.ConversationEvents` of Rasa's SQL store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def source(self) -> str:
        """A short stable name of this store (ids restart in another store)."""
        where = self.engine.url.render_as_string(hide_password=True)
        return "events:" + hashlib.sha256(where.encode()).hexdigest()[:12]

    def _exists(self) -> bool:
        # Rasa creates the table when it first starts; before that the inbox is empty.
        return bool(inspect(self.engine).has_table("events"))

    def after(self, event_id: int, *, limit: int = 5000) -> list[TrackerEvent]:
        """User messages and bot actions with an id above ``event_id``, oldest first."""
        if not self._exists():
            return []
        query = (
            select(events)
            .where(events.c.id > event_id, events.c.type_name.in_(("user", "action")))
            .order_by(events.c.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [_event(row) for row in connection.execute(query)]

    def previous_user_message(self, sender_id: str, before_id: int) -> TrackerEvent | None:
        query = (
            select(events)
            .where(
                events.c.sender_id == sender_id,
                events.c.type_name == "user",
                events.c.id < before_id,
            )
            .order_by(events.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _event(row)
