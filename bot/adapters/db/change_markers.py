"""What the console's live pages poll: one cheap query for "did anything change?".

The newest ids of tickets, status changes, transfers and handoff traffic, the newest
``tickets.updated_at`` and the number of open handoffs: each an index lookup, all
in one round trip. It says only *that* something changed, never what or for whom;
each page then asks the desk, in its user's scope, what it shows now.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.adapters.db.orm import handoff_requests, status_changes, tickets
from bot.adapters.db.tables_agencies import ticket_transfers
from bot.adapters.db.tables_staff import handoff_messages, handoff_replies
from bot.domain.model import HandoffStatus

__all__ = ["DbChangeMarkers"]


class DbChangeMarkers:
    """:class:`bot.services.live_updates.ChangeMarkers` on the system of record."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def current(self) -> tuple[object, ...]:
        query = select(
            select(func.max(tickets.c.id)).scalar_subquery(),
            select(func.max(tickets.c.updated_at)).scalar_subquery(),
            select(func.max(status_changes.c.id)).scalar_subquery(),
            select(func.max(ticket_transfers.c.id)).scalar_subquery(),
            select(func.max(handoff_requests.c.id)).scalar_subquery(),
            select(func.count())
            .select_from(handoff_requests)
            .where(handoff_requests.c.status == HandoffStatus.OPEN)
            .scalar_subquery(),
            select(func.max(handoff_messages.c.id)).scalar_subquery(),
            select(func.max(handoff_replies.c.id)).scalar_subquery(),
        )
        with self.engine.connect() as connection:
            return tuple(connection.execute(query).one())
