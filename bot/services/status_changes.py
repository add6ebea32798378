"""A ticket's status change, as one unit of work: scope, lifecycle, history, audit, notice.

The officers' CLI and the staff console both move tickets through :func:`change_status`;
the caller commits, so the change and the resident's message are kept together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.errors import TicketNotFound
from bot.domain.model import StatusChange, Ticket, TicketStatus
from bot.services.notifications import StatusNotices
from bot.services.shared import audit
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = ["change_status"]

log = logging.getLogger(__name__)


def _anyone(ticket: Ticket) -> bool:
    return True


def change_status(
    uow: AbstractUnitOfWork,
    number: str,
    to: TicketStatus,
    *,
    actor: str,
    note: str | None,
    now: datetime,
    notices: StatusNotices,
    may_see: Callable[[Ticket], bool] = _anyone,
) -> tuple[Ticket, StatusChange]:
    """Move ticket ``number`` to ``to`` inside ``uow`` (not committed).

    TicketNotFound when there is no such ticket or ``may_see`` refuses it;
    InvalidTransition / RejectionNeedsReason from the lifecycle.
    """
    ticket = uow.tickets.get(number)
    if ticket is None or ticket.id is None or not may_see(ticket):
        raise TicketNotFound(number)
    change = ticket.change_status(to, actor=actor, at=now, note=note)
    details = {
        "from": change.from_status.value if change.from_status else None,
        "to": change.to_status.value,
        "note": change.note,
    }
    audit(uow, actor, "ticket.status_changed", ticket.number, now, details)
    notices.queue(uow, ticket, change, now)
    log.info("%s: %s by %s", ticket.number, to.value, actor)
    return ticket, change
