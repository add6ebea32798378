"""Officers' tooling: a ticket's full record and moving it along its status lifecycle."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.domain import tickets
from bot.domain.errors import TicketNotFound
from bot.domain.model import TicketStatus
from bot.services.notifications import StatusNotices
from bot.services.shared import UnitOfWorkService, configured, ticket_view
from bot.services.status_changes import change_status
from bot.services.views import StatusView

log = logging.getLogger(__name__)


@dataclass(eq=False, kw_only=True)
class Officers(UnitOfWorkService):
    """What officers do to tickets from the CLI; without ``notices`` no status can change."""

    notices: StatusNotices | None = None

    async def ticket_record(self, number_text: str) -> StatusView:
        """The full view of a ticket, no rate limit (officers only). TicketNotFound."""
        number = str(tickets.parse(number_text))
        view = await asyncio.to_thread(self._record, number)
        if view is None:
            raise TicketNotFound(number)
        return view

    def _record(self, number: str) -> StatusView | None:
        with self.uow_factory() as uow:
            ticket = uow.tickets.get(number)
            return None if ticket is None else ticket_view(uow, ticket, is_owner=False, full=True)

    async def change_status(
        self,
        number_text: str,
        *,
        to: TicketStatus | str,
        actor: str,
        note: str | None = None,
    ) -> StatusView:
        """Move a ticket along its lifecycle: history, audit and the resident's notice at once.

        ``to`` may also be the status word (``"ditolak"``); an unknown word is a ValueError.
        Raises InvalidTicketNumber, TicketNotFound, InvalidTransition, RejectionNeedsReason.
        """
        number = str(tickets.parse(number_text))
        return await asyncio.to_thread(self._change_status, number, TicketStatus(to), actor, note)

    def _change_status(
        self, number: str, to: TicketStatus, actor: str, note: str | None
    ) -> StatusView:
        notices = configured("messenger", self.notices)
        with self.uow_factory() as uow:
            ticket, _ = change_status(
                uow, number, to, actor=actor, note=note, now=self.clock(), notices=notices
            )
            uow.commit()
            return ticket_view(uow, ticket, is_owner=False, full=True)
