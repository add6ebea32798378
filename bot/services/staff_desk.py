"""What staff do with tickets: the area's queue, a ticket's page, status changes, and
(from :mod:`bot.services.desk_filing`) filing on a resident's behalf. The audit log is
read through ``bot.services.audit``.

Every call takes the acting :class:`StaffAccount`; a ticket outside its scope
(:mod:`bot.domain.scope`: its agency's tickets, or its area's) raises
TicketNotFound, exactly like an unknown number. Every view of a
resident's details and every change is written to the audit log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain import tickets as ticket_numbers
from bot.domain.errors import TicketNotFound
from bot.domain.model import AuditEntry, Ticket, TicketAttachment, TicketKind, TicketStatus
from bot.domain.nik import mask_nik
from bot.domain.scope import may_see_ticket, scope_of
from bot.domain.sla import SlaRules, SlaState, sla_state
from bot.domain.staff import StaffAccount
from bot.services.desk_filing import DeskFiling, phone_forms
from bot.services.desk_views import Filing, QueueItem, QueueQuery, TicketPage
from bot.services.notifications import StatusNotices
from bot.services.repositories import QueueFilter
from bot.services.shared import in_thread, view_of
from bot.services.status_changes import Evidence, Photo, change_status
from bot.services.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

__all__ = [
    "Filing",
    "QueueItem",
    "QueueQuery",
    "StaffDesk",
    "TicketPage",
    "phone_forms",
]

QUEUE_LIMIT = 200
_URGENCY = {SlaState.OVERDUE: 0, SlaState.LATE: 1, SlaState.OK: 2}


@dataclass(eq=False)
class StaffDesk(DeskFiling):
    """The area's tickets for staff: the queue, a ticket's page, moving a ticket on."""

    _: KW_ONLY
    notices: StatusNotices
    sla_rules: SlaRules
    knowledge: Any = None

    # ---------------------------------------------------------------- queue

    def _sla(self, ticket: Ticket, now: datetime) -> SlaState:
        first = next((c.created_at for c in ticket.history if c.from_status is not None), None)
        return sla_state(
            status=ticket.status.value,
            # A report that reached an office earlier (paper, phone) counts from then.
            created_at=ticket.received_at or ticket.created_at,
            first_response_at=first,
            now=now,
            rule=self.sla_rules.for_category(ticket.category),
            schedule=self.schedule,
        )

    def _item(self, ticket: Ticket, now: datetime, names: dict[str, str]) -> QueueItem:
        return view_of(
            QueueItem,
            ticket,
            kind="complaint" if ticket.kind is TicketKind.COMPLAINT else "application",
            status=ticket.status.value,
            sla=self._sla(ticket, now).value,
            agency_name=names.get(ticket.agency_code or ""),
        )

    def _agency_names(self, uow: AbstractUnitOfWork, found: list[Ticket]) -> dict[str, str]:
        """The names of the agencies holding ``found``, from the effective catalogue."""
        directory = self.filing.agencies.current(uow)
        codes = {t.agency_code for t in found if t.agency_code}
        return {code: directory.name_of(code) or code for code in codes}

    def _filter(self, query: QueueQuery, now: datetime) -> QueueFilter | None:
        """The repository filter; None when the query cannot match anything."""
        status = TicketStatus(query.status) if query.status else None
        kind = None
        if query.kind:
            kind = TicketKind.COMPLAINT if query.kind == "complaint" else TicketKind.APPLICATION
        after = before = None
        if query.age == "older":
            before = now - timedelta(days=6)
        elif query.age and query.age.isdigit():
            after = now - timedelta(days=int(query.age))
        number: str | None = None
        phones: tuple[str, ...] = ()
        text = (query.q or "").strip()
        if text:
            number = ticket_numbers.canonical(text)
            if number is None:
                phones = phone_forms(text)
                if not phones:
                    return None
        return QueueFilter(
            status=status,
            kind=kind,
            category=query.category or None,
            created_after=after,
            created_before=before,
            number=number,
            phones=phones,
        )

    @in_thread
    def queue(self, user: StaffAccount, query: QueueQuery) -> list[QueueItem]:
        """The tickets of the user's area, most urgent first, then newest. ValueError for
        an unknown status word."""
        now = self.clock()
        flt = self._filter(query, now)
        if flt is None:
            return []
        with self.uow_factory() as uow:
            found = uow.tickets.queue(scope_of(user), flt, limit=QUEUE_LIMIT)
            found = [t for t in found if may_see_ticket(user, t)]
            names = self._agency_names(uow, found)
            items = [self._item(t, now, names) for t in found]
        items.sort(key=lambda i: i.created_at, reverse=True)
        items.sort(key=lambda i: _URGENCY[SlaState(i.sla)])
        return items

    # --------------------------------------------------------------- ticket

    def _visible(self, uow: AbstractUnitOfWork, user: StaffAccount, number_text: str) -> Ticket:
        """The ticket if it exists for ``user`` (:func:`may_see_ticket`); TicketNotFound."""
        number = str(ticket_numbers.parse(number_text))
        ticket = uow.tickets.get(number)
        if ticket is None or not may_see_ticket(user, ticket):
            raise TicketNotFound(number)
        return ticket

    @in_thread
    def ticket(self, user: StaffAccount, number_text: str) -> TicketPage:
        """A ticket with the resident's details; the view is audited. TicketNotFound."""
        with self.uow_factory() as uow:
            page = self.page(uow, user, self._visible(uow, user, number_text))
            uow.commit()
            return page

    def page(self, uow: AbstractUnitOfWork, user: StaffAccount, ticket: Ticket) -> TicketPage:
        """``ticket``'s page for ``user``, inside ``uow`` (not committed); the view is audited.
        A forward builds it before its commit: the ticket may leave the user's scope."""
        assert ticket.id is not None
        now = self.clock()
        resident = uow.residents.get(ticket.resident_id) if ticket.resident_id else None
        page = view_of(
            TicketPage,
            ticket,
            item=self._item(ticket, now, self._agency_names(uow, [ticket])),
            full_name=resident.full_name if resident else None,
            nik_masked=mask_nik(resident.nik) if resident and resident.nik else None,
            phone=(resident.phone if resident else None) or whatsapp_of(uow, ticket),
            filed_by_staff=uow.tickets.filer_of(ticket.id),
            history=[
                {
                    "from": c.from_status.value if c.from_status else None,
                    "to": c.to_status.value,
                    "at": c.created_at.isoformat(),
                    "actor": c.actor if c.actor.startswith(("staff:", "system:")) else "warga",
                    "note": c.note,
                }
                for c in ticket.history
            ],
            attachments=[
                {
                    "id": a.id,
                    "kind": a.kind,
                    "mime_type": a.mime_type,
                    "caption": a.caption,
                    "added_by": a.added_by,
                }
                for a in ticket.attachments
            ],
            # The next step of the lifecycle first, the rejection last.
            allowed_next=sorted(
                (s.value for s in ticket.status.allowed_next),
                key=lambda word: word == TicketStatus.DITOLAK.value,
            ),
            rating=_rating(uow, ticket.id),
        )
        uow.audit.add(
            AuditEntry(
                actor=user.actor, action="ticket.viewed", subject=ticket.number, created_at=now
            )
        )
        return page

    @in_thread
    def attachment(
        self, user: StaffAccount, number_text: str, attachment_id: int
    ) -> TicketAttachment:
        """The attachment row of a ticket the user may see (TicketNotFound otherwise)."""
        with self.uow_factory() as uow:
            ticket = self._visible(uow, user, number_text)
            for attachment in ticket.attachments:
                if attachment.id == attachment_id:
                    # A copy: the mapped row is expired once the unit of work ends.
                    return view_of(TicketAttachment, attachment)
            raise TicketNotFound(ticket.number)

    async def change_status(
        self,
        user: StaffAccount,
        number_text: str,
        *,
        to: str,
        note: str | None,
        photo: Photo | None = None,
    ) -> TicketPage:
        """Move the ticket on; the resident's notice is queued in the same transaction.

        A complaint is finished (``selesai``) only with a note of what was done
        (CompletionNeedsNote), and takes ``photo``, the result's, kept already.
        TicketNotFound outside the area; ValueError for an unknown word;
        InvalidTransition / RejectionNeedsReason from the lifecycle.
        """
        status = TicketStatus(to)
        number = str(ticket_numbers.parse(number_text))
        await asyncio.to_thread(self._change_status, user, number, status, note, photo)
        return await self.ticket(user, number)

    def _change_status(
        self,
        user: StaffAccount,
        number: str,
        to: TicketStatus,
        note: str | None,
        photo: Photo | None = None,
    ) -> None:
        with self.uow_factory() as uow:
            change_status(
                uow,
                number,
                to,
                actor=user.actor,
                note=note,
                now=self.clock(),
                notices=self.notices,
                may_see=lambda ticket: may_see_ticket(user, ticket),
                evidence=Evidence(photo),
            )
            uow.commit()

    def requirements(self, document_type: str | None) -> Any:
        """What to bring for an application (knowledge base), or None."""
        if not document_type or self.knowledge is None:
            return None
        return self.knowledge.requirements(document_type)


def whatsapp_of(uow: AbstractUnitOfWork, ticket: Ticket) -> str | None:
    """The WhatsApp number the ticket was filed from: the way to reach the resident."""
    if ticket.filed_by_identity_id is None:
        return None
    account = uow.identities.get_by_id(ticket.filed_by_identity_id)
    if account is None or account.channel != "whatsapp":
        return None
    return "+" + account.account


def _rating(uow: AbstractUnitOfWork, ticket_id: int) -> tuple[int, str | None, datetime] | None:
    stored = uow.ratings.get(ticket_id)
    return None if stored is None else (stored.score, stored.comment, stored.created_at)
