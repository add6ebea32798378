"""Officers' tooling: a ticket's full record and moving it along its status lifecycle."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain import tickets
from bot.domain.errors import TicketNotFound
from bot.domain.model import TicketStatus
from bot.services.notifications import StatusNotices
from bot.services.shared import UnitOfWorkService, configured, in_thread, ticket_view
from bot.services.status_changes import change_status
from bot.services.views import StatusView

log = logging.getLogger(__name__)


@dataclass(eq=False, kw_only=True)
class Officers(UnitOfWorkService):
    """What officers do to tickets from the CLI; without ``notices`` no status can change."""

    notices: StatusNotices | None = None

    @in_thread
    def ticket_record(self, number_text: str) -> StatusView:
        """The full view of a ticket, no rate limit (officers only). TicketNotFound."""
        number = str(tickets.parse(number_text))
        with self.uow_factory() as uow:
            ticket = uow.tickets.get(number)
            if ticket is None:
                raise TicketNotFound(number)
            return ticket_view(uow, ticket, is_owner=False, full=True)

    @in_thread
    def change_status(
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
        number, status = str(tickets.parse(number_text)), TicketStatus(to)
        notices = configured("messenger", self.notices)
        with self.uow_factory() as uow:
            ticket, _ = change_status(
                uow, number, status, actor=actor, note=note, now=self.clock(), notices=notices
            )
            uow.commit()
            return ticket_view(uow, ticket, is_owner=False, full=True)
