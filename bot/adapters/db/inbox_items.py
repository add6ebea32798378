"""The NLU inbox's items, occurrences and cursors in the system of record.

:class:`InboxItemTables` (the :class:`~bot.services.nlu_inbox_store.InboxTables` port)
works inside one transaction; :class:`SqlInboxStore` opens those transactions, and
:func:`nlu_inbox_on` builds the inbox on an engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.adapters.db.tables_nlu import nlu_inbox_cursor, nlu_inbox_items, nlu_inbox_occurrences
from bot.services.conversation_log import ConversationEvents
from bot.services.labelled_examples import LabelledExamples
from bot.services.nlu_inbox import NluInbox
from bot.services.nlu_inbox_store import OPEN, StoredItem

log = logging.getLogger(__name__)

items, occurrences, cursors = nlu_inbox_items, nlu_inbox_occurrences, nlu_inbox_cursor


class InboxItemTables:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lock_cursor(self, source: str) -> int:
        return int(
            self.connection.execute(
                select(cursors.c.last_event_id).where(cursors.c.name == source).with_for_update()
            ).scalar_one()
        )

    def move_cursor(self, source: str, last_event_id: int) -> None:
        self.connection.execute(
            update(cursors).where(cursors.c.name == source).values(last_event_id=last_event_id)
        )

    def counted(self, event_id: int) -> bool:
        seen = self.connection.execute(
            select(occurrences.c.id).where(occurrences.c.event_id == event_id)
        ).first()
        return seen is not None

    def item_by_text(self, normalised: str) -> StoredItem | None:
        row = self.connection.execute(select(items).where(items.c.normalised == normalised)).first()
        return None if row is None else dict(row._mapping)

    def add_item(self, values: Mapping[str, Any]) -> int:
        return int(self.connection.execute(insert(items).values(**values)).inserted_primary_key[0])

    def count_again(self, item_id: int, newest: Mapping[str, Any] | None) -> None:
        values: dict[str, Any] = {"count": items.c.count + 1, **(newest or {})}
        self.connection.execute(update(items).where(items.c.id == item_id).values(**values))

    def add_occurrence(self, event_id: int, item_id: int, reason: str, at: datetime) -> None:
        self.connection.execute(
            insert(occurrences).values(
                event_id=event_id, item_id=item_id, reason=reason, seen_at=at
            )
        )

    def open_items(self, limit: int) -> list[StoredItem]:
        query = (
            select(items)
            .where(items.c.state == OPEN)
            .order_by(items.c.last_seen.desc(), items.c.id.desc())
            .limit(limit)
        )
        return [dict(row._mapping) for row in self.connection.execute(query)]

    def open_item(self, item_id: int) -> StoredItem | None:
        row = self.connection.execute(
            select(items).where(items.c.id == item_id, items.c.state == OPEN)
        ).first()
        return None if row is None else dict(row._mapping)

    def newest_event(self, item_id: int) -> int | None:
        newest = self.connection.execute(
            select(func.max(occurrences.c.event_id)).where(occurrences.c.item_id == item_id)
        ).scalar()
        return None if newest is None else int(newest)

    def close_item(self, item_id: int, state: str, label: str | None, at: datetime) -> None:
        self.connection.execute(
            update(items)
            .where(items.c.id == item_id)
            .values(state=state, label=label, reviewed_at=at)
        )

    def open_count(self) -> int:
        return int(
            self.connection.execute(select(func.count()).where(items.c.state == OPEN)).scalar() or 0
        )


class SqlInboxStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[InboxItemTables]:
        with self.engine.begin() as connection:
            yield InboxItemTables(connection)

    def ensure_cursor(self, source: str) -> None:
        with self.engine.connect() as connection:
            known = connection.execute(
                select(cursors.c.name).where(cursors.c.name == source)
            ).first()
        if known is not None:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(cursors).values(name=source, last_event_id=0))
        except IntegrityError:
            # Another refresh made it in between; its row is as good as ours.
            log.info("inbox cursor %s created concurrently", source)


def nlu_inbox_on(
    engine: Engine, events: ConversationEvents, examples: LabelledExamples, **options: Any
) -> NluInbox:
    """The NLU inbox on ``engine``, reading ``events`` (``threshold`` as in :class:`NluInbox`)."""
    return NluInbox(SqlInboxStore(engine), events, examples, **options)


__all__ = ["InboxItemTables", "SqlInboxStore", "nlu_inbox_on"]
