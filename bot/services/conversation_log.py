"""Rasa's record of conversations (the tracker store), as Tabik reads and prunes it.

Rasa appends every event of every conversation to one log with increasing ids;
:class:`ConversationEvents` reads it after a remembered id (the NLU inbox), and
:class:`ConversationCleaner` deletes from it (erasure and retention). Adapters:
``bot.adapters.tracker_events`` and ``bot.adapters.tracker_retention``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["ConversationCleaner", "ConversationEvents", "TrackerEvent"]


@dataclass(frozen=True)
class TrackerEvent:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.data.get("text") or "")

    @property
    def parse_data(self) -> dict[str, Any]:
        return dict(self.data.get("parse_data") or {})


class ConversationEvents(Protocol):
    @property
    def source(self) -> str:
        """A short stable name of this log (ids restart in another one)."""

    def after(self, event_id: int, *, limit: int = 5000) -> list[TrackerEvent]:
        """User messages and bot actions with an id above ``event_id``, oldest first."""

    def previous_user_message(self, sender_id: str, before_id: int) -> TrackerEvent | None: ...


class ConversationCleaner(Protocol):
    def event_ids(self, sender_ids: Collection[str]) -> list[int]:
        """The ids of every event of these conversations."""

    def delete_senders(self, sender_ids: Collection[str]) -> int:
        """Every event of these conversations; how many went."""

    def count_before(self, timestamp: float) -> int: ...

    def delete_before(self, timestamp: float) -> int:
        """Events older than ``timestamp`` (seconds since the epoch); how many went."""

    def compact(self) -> None:
        """Leave no trace of deleted events in free pages or logs, where needed."""

    def close(self) -> None: ...
