"""Where the admins' NLU inbox keeps its items, as :mod:`bot.services.nlu_inbox` sees it.

An item is one normalised text with a count; an occurrence is one resident message
counted into it (so a message is counted once); a cursor per conversation log says
how far it has been read. :class:`InboxStore` opens transactions; in one,
:class:`InboxTables` reads and writes them (``bot.adapters.db.nlu_inbox``).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

__all__ = ["IGNORED", "LABELLED", "OPEN", "InboxStore", "InboxTables", "StoredItem"]

# An item's state: waiting for an admin, or reviewed.
OPEN = "open"
LABELLED = "labelled"
IGNORED = "ignored"

# One item, column by column: id, normalised, text, intent, confidence, reason, count,
# state, label, first_seen, last_seen, reviewed_at.
StoredItem = Mapping[str, Any]


class InboxTables(Protocol):
    """Statements on the inbox inside one transaction."""

    def lock_cursor(self, source: str) -> int:
        """The last event id read from ``source``, locked until the transaction ends."""

    def move_cursor(self, source: str, last_event_id: int) -> None: ...

    def counted(self, event_id: int) -> bool:
        """Whether this event is an occurrence of some item already."""

    def item_by_text(self, normalised: str) -> StoredItem | None: ...

    def add_item(self, values: Mapping[str, Any]) -> int:
        """A new item (``count`` and every column but ``id``); its id."""

    def count_again(self, item_id: int, newest: Mapping[str, Any] | None) -> None:
        """One more occurrence of the item; ``newest`` (text, intent, … last_seen) replaces
        what it shows when the occurrence is its newest."""

    def add_occurrence(self, event_id: int, item_id: int, reason: str, at: datetime) -> None: ...

    def open_items(self, limit: int) -> list[StoredItem]:
        """Open items, newest first."""

    def open_item(self, item_id: int) -> StoredItem | None: ...

    def newest_event(self, item_id: int) -> int | None:
        """The id of the item's newest occurrence's event."""

    def close_item(self, item_id: int, state: str, label: str | None, at: datetime) -> None: ...

    def open_count(self) -> int: ...


class InboxStore(Protocol):
    def transaction(self) -> AbstractContextManager[InboxTables]:
        """One transaction, committed when the block ends without an error."""

    def ensure_cursor(self, source: str) -> None:
        """A cursor at 0 for ``source`` unless there is one (a concurrent one is as good)."""
