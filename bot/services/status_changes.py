"""A ticket's status change, as one unit of work: scope, lifecycle, history, audit, notice.

The officers' CLI and the staff console both move tickets through :func:`change_status`;
the caller commits, so the change and the resident's message are kept together or not at all.

Staff finish a complaint (``selesai``) with :class:`Evidence`: a note of what was done
(CompletionNeedsNote without one) and, where the officer has one, a photo of the result,
attached to the ticket and sent to the resident with the rating question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import CompletionNeedsNote, TicketNotFound
from bot.domain.model import StatusChange, Ticket, TicketAttachment, TicketKind, TicketStatus
from bot.services.notifications import Photo, StatusNotices
from bot.services.shared import audit
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = ["Evidence", "Photo", "change_status"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """What staff must give to finish a complaint: the note is required, the photo is not."""

    photo: Photo | None = None


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
    evidence: Evidence | None = None,
) -> tuple[Ticket, StatusChange]:
    """Move ticket ``number`` to ``to`` inside ``uow`` (not committed).

    With ``evidence`` (staff's changes), a complaint goes to ``selesai`` only with a
    note (CompletionNeedsNote) and takes the evidence's photo; applications keep
    the lifecycle's rule. TicketNotFound when there is no such ticket or ``may_see``
    refuses it; InvalidTransition / RejectionNeedsReason from the lifecycle.
    """
    ticket = uow.tickets.get(number)
    if ticket is None or ticket.id is None or not may_see(ticket):
        raise TicketNotFound(number)
    # A forbidden move is refused as such first (InvalidTransition), note or not.
    finishing = (
        evidence is not None
        and to is TicketStatus.SELESAI
        and ticket.kind is TicketKind.COMPLAINT
        and to in ticket.status.allowed_next
    )
    photo = evidence.photo if evidence is not None and finishing else None
    if finishing and not (note or "").strip():
        raise CompletionNeedsNote()
    change = ticket.change_status(to, actor=actor, at=now, note=note)
    details: dict[str, object] = {
        "from": change.from_status.value if change.from_status else None,
        "to": change.to_status.value,
        "note": change.note,
    }
    if photo is not None:
        ticket.attachments.append(
            TicketAttachment(
                kind="photo",
                ref=photo.ref,
                created_at=now,
                mime_type=photo.mime_type,
                added_by=actor,
            )
        )
        details["photo"] = True
    audit(uow, actor, "ticket.status_changed", ticket.number, now, details)
    notices.queue(uow, ticket, change, now, photo=photo)
    log.info("%s: %s by %s", ticket.number, to.value, actor)
    return ticket, change
