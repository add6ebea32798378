"""Officers' tooling: a ticket's full record and moving it along its status lifecycle."""

from __future__ import annotations

import asyncio
import logging

from bot.domain import tickets
from bot.domain.errors import TicketNotFound
from bot.domain.model import Notification, TicketStatus
from bot.services.shared import UnitOfWorkService, audit, ticket_view
from bot.services.views import StatusView

log = logging.getLogger(__name__)


class Officers(UnitOfWorkService):
    """What officers do to tickets (the CLI today, the staff console next)."""

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
        """Move a ticket along its lifecycle; history, audit row and outbox row in one go.

        ``to`` may also be the status word (``"ditolak"``); an unknown word is a ValueError.
        Raises InvalidTicketNumber, TicketNotFound, InvalidTransition, RejectionNeedsReason.
        """
        number = str(tickets.parse(number_text))
        return await asyncio.to_thread(self._change_status, number, TicketStatus(to), actor, note)

    def _change_status(
        self, number: str, to: TicketStatus, actor: str, note: str | None
    ) -> StatusView:
        with self.uow_factory() as uow:
            ticket = uow.tickets.get(number)
            if ticket is None or ticket.id is None:
                raise TicketNotFound(number)
            now = self.clock()
            change = ticket.change_status(to, actor=actor, at=now, note=note)
            details = {
                "from": change.from_status.value if change.from_status else None,
                "to": change.to_status.value,
                "note": change.note,
            }
            audit(uow, actor, "ticket.status_changed", ticket.number, now, details)
            # The resident hears of it through the outbox (bot.workers.notifier).
            uow.notifications.add(
                Notification(
                    ticket_id=ticket.id,
                    identity_id=ticket.filed_by_identity_id,
                    created_at=now,
                    payload={
                        "number": ticket.number,
                        "kind": ticket.kind.value,
                        "subject": ticket.subject,
                        "status": change.to_status.value,
                        "note": change.note,
                        "at": now.isoformat(),
                    },
                )
            )
            uow.commit()
            log.info("%s: %s by %s", ticket.number, to.value, actor)
            return ticket_view(uow, ticket, is_owner=False, full=True)
