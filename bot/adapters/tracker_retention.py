"""Deleting from Rasa's SQL tracker store (``TRACKER_STORE_URL``): one resident's
conversations, and events past their retention period.

The ``events`` table is Rasa's (see :mod:`bot.adapters.tracker_events`); Rasa reads a
conversation from its latest session start, so deleting a conversation's oldest events
leaves what it still reads intact.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Engine

from bot.adapters.db.engine import compact_sqlite
from bot.adapters.tracker_events import events


class TrackerStoreCleaner:
    """The :class:`~bot.services.conversation_log.ConversationCleaner` on Rasa's SQL store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _exists(self) -> bool:
        # Rasa creates the table when it first starts; before that there is nothing to delete.
        return bool(inspect(self.engine).has_table("events"))

    def event_ids(self, sender_ids: Collection[str]) -> list[int]:
        """The ids of every event of these conversations (the NLU inbox counts by them)."""
        if not sender_ids or not self._exists():
            return []
        query = select(events.c.id).where(events.c.sender_id.in_(sorted(set(sender_ids))))
        with self.engine.connect() as connection:
            return [int(row[0]) for row in connection.execute(query)]

    def count_senders(self, sender_ids: Collection[str]) -> int:
        return len(self.event_ids(sender_ids))

    def delete_senders(self, sender_ids: Collection[str]) -> int:
        """Every event of these conversations; how many went."""
        if not sender_ids or not self._exists():
            return 0
        statement = delete(events).where(events.c.sender_id.in_(sorted(set(sender_ids))))
        with self.engine.begin() as connection:
            return int(connection.execute(statement).rowcount)

    def count_before(self, timestamp: float) -> int:
        if not self._exists():
            return 0
        query = select(func.count()).where(events.c.timestamp < timestamp)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def delete_before(self, timestamp: float) -> int:
        """Events older than ``timestamp`` (seconds since the epoch, as Rasa stores them)."""
        if not self._exists():
            return 0
        with self.engine.begin() as connection:
            return int(
                connection.execute(delete(events).where(events.c.timestamp < timestamp)).rowcount
            )

    def compact(self) -> None:
        compact_sqlite(self.engine)

    def close(self) -> None:
        self.engine.dispose()
