"""What staff do with tickets: the area's queue, a ticket's page, status changes,
filing on a resident's behalf (the audit log is read through ``bot.services.audit``).

Every call takes the acting :class:`StaffAccount`; a ticket outside its area
raises TicketNotFound, exactly like an unknown number. Every view of a
resident's details and every change is written to the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import KW_ONLY, asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.adapters.db.staff_repository import QueueFilter, StaffUnitOfWork
from bot.adapters.db.uow import AbstractUnitOfWork
from bot.domain import tickets as ticket_numbers
from bot.domain.errors import InvalidDraft, TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import AuditEntry, Ticket, TicketAttachment, TicketKind, TicketStatus
from bot.domain.nik import mask_nik, validate_nik
from bot.domain.sla import SlaRules, SlaState, sla_state
from bot.domain.staff import Role, StaffAccount
from bot.services.messaging import STAFF_KIND, Messenger, StaffSide, whatsapp_identity
from bot.services.shared import view_of
from bot.services.views import ApplicationDraft, ComplaintDraft

log = logging.getLogger(__name__)

__all__ = [
    "Filing",
    "QueueItem",
    "QueueQuery",
    "StaffDesk",
    "TicketPage",
]

QUEUE_LIMIT = 200
_URGENCY = {SlaState.OVERDUE: 0, SlaState.LATE: 1, SlaState.OK: 2}


@dataclass(frozen=True)
class QueueQuery:
    status: str | None = None
    kind: str | None = None  # "complaint" | "application"
    category: str | None = None
    age: str | None = None  # "1" (today), "7", "30" days, or "older" (more than 6 days)
    q: str | None = None  # a ticket number or a phone number


@dataclass(frozen=True)
class QueueItem:
    number: str
    kind: str
    status: str
    category: str | None
    document_type: str | None
    kabupaten_kota: str | None
    kecamatan: str | None
    desa: str | None
    created_at: datetime
    sla: str

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class TicketPage:
    item: QueueItem
    description: str | None
    location_text: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    full_name: str | None
    nik_masked: str | None
    phone: str | None
    # The NIK was already known under another chat account: check who this is in person.
    nik_known_elsewhere: bool
    filed_by_staff: str | None
    history: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    allowed_next: list[str]
    rating: tuple[int, str | None, datetime] | None  # score, reason, when rated

    def as_json(self) -> dict[str, Any]:
        return {
            **self.item.as_json(),
            "description": self.description,
            "location_text": self.location_text,
            "latitude": str(self.latitude) if self.latitude is not None else None,
            "longitude": str(self.longitude) if self.longitude is not None else None,
            "resident": {"name": self.full_name, "nik": self.nik_masked, "phone": self.phone},
            "nik_known_elsewhere": self.nik_known_elsewhere,
            "filed_by": self.filed_by_staff,
            "history": self.history,
            "attachments": self.attachments,
            "allowed_next": self.allowed_next,
            "rating": None
            if self.rating is None
            else {
                "score": self.rating[0],
                "comment": self.rating[1],
                "rated_at": self.rating[2].isoformat(),
            },
        }


@dataclass(frozen=True)
class Filing:
    """A filing at the desk: a complaint or an application for a walk-in resident."""

    kind: str  # "complaint" | "application"
    name: str
    phone: str | None
    nik: str | None
    category: str | None
    document_type: str | None
    kabupaten_kota: str | None
    kecamatan: str | None
    desa: str | None
    description: str | None
    idempotency_key: str | None = None


def phone_forms(text: str) -> tuple[str, ...]:
    """The ways a phone number may be stored: ``0812…``, ``62812…``, ``+62812…``."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < 8:
        return ()
    national = "0" + digits[2:] if digits.startswith("62") else digits
    international = "62" + national[1:] if national.startswith("0") else digits
    return (national, international, "+" + international)


@dataclass(eq=False)
class StaffDesk(StaffSide):
    messenger: Messenger
    _: KW_ONLY
    sla_rules: SlaRules
    knowledge: Any = None

    # ---------------------------------------------------------------- queue

    def _sla(self, ticket: Ticket, now: datetime) -> SlaState:
        first = next((c.created_at for c in ticket.history if c.from_status is not None), None)
        return sla_state(
            status=ticket.status.value,
            created_at=ticket.created_at,
            first_response_at=first,
            now=now,
            rule=self.sla_rules.for_category(ticket.category),
            schedule=self.schedule,
        )

    def _item(self, ticket: Ticket, now: datetime) -> QueueItem:
        return view_of(
            QueueItem,
            ticket,
            kind="complaint" if ticket.kind is TicketKind.COMPLAINT else "application",
            status=ticket.status.value,
            sla=self._sla(ticket, now).value,
        )

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

    async def queue(self, user: StaffAccount, query: QueueQuery) -> list[QueueItem]:
        """The tickets of the user's area, most urgent first, then newest. ValueError for
        an unknown status word."""
        return await asyncio.to_thread(self._queue, user, query)

    def _queue(self, user: StaffAccount, query: QueueQuery) -> list[QueueItem]:
        now = self.clock()
        flt = self._filter(query, now)
        if flt is None:
            return []
        with self.uow_factory() as uow:
            found = uow.staff.queue(user.area, flt, limit=QUEUE_LIMIT)
            items = [self._item(t, now) for t in found if user.may_see(*_place(t))]
        items.sort(key=lambda i: i.created_at, reverse=True)
        items.sort(key=lambda i: _URGENCY[SlaState(i.sla)])
        return items

    # --------------------------------------------------------------- ticket

    def _visible(self, uow: StaffUnitOfWork, user: StaffAccount, number_text: str) -> Ticket:
        number = str(ticket_numbers.parse(number_text))
        ticket = uow.staff.ticket(number)
        if ticket is None or not user.may_see(*_place(ticket)):
            raise TicketNotFound(number)
        return ticket

    async def ticket(self, user: StaffAccount, number_text: str) -> TicketPage:
        """A ticket with the resident's details; the view is audited. TicketNotFound."""
        return await asyncio.to_thread(self._ticket, user, number_text)

    def _ticket(self, user: StaffAccount, number_text: str) -> TicketPage:
        with self.uow_factory() as uow:
            ticket = self._visible(uow, user, number_text)
            assert ticket.id is not None
            now = self.clock()
            resident = uow.residents.get(ticket.resident_id) if ticket.resident_id else None
            page = view_of(
                TicketPage,
                ticket,
                item=self._item(ticket, now),
                full_name=resident.full_name if resident else None,
                nik_masked=mask_nik(resident.nik) if resident and resident.nik else None,
                phone=(resident.phone if resident else None) or whatsapp_of(uow, ticket),
                filed_by_staff=uow.staff.filer_of(ticket.id),
                history=[
                    {
                        "from": c.from_status.value if c.from_status else None,
                        "to": c.to_status.value,
                        "at": c.created_at.isoformat(),
                        "actor": c.actor if c.actor.startswith("staff:") else "warga",
                        "note": c.note,
                    }
                    for c in ticket.history
                ],
                attachments=[
                    {"id": a.id, "kind": a.kind, "mime_type": a.mime_type, "caption": a.caption}
                    for a in ticket.attachments
                ],
                # The next step of the lifecycle first, the rejection last.
                allowed_next=sorted(
                    (s.value for s in ticket.status.allowed_next),
                    key=lambda word: word == TicketStatus.DITOLAK.value,
                ),
                rating=uow.staff.rating_of(ticket.id),
            )
            uow.audit.add(
                AuditEntry(
                    actor=user.actor, action="ticket.viewed", subject=ticket.number, created_at=now
                )
            )
            uow.commit()
            return page

    async def attachment(
        self, user: StaffAccount, number_text: str, attachment_id: int
    ) -> TicketAttachment:
        """The attachment row of a ticket the user may see (TicketNotFound otherwise)."""
        return await asyncio.to_thread(self._attachment, user, number_text, attachment_id)

    def _attachment(
        self, user: StaffAccount, number_text: str, attachment_id: int
    ) -> TicketAttachment:
        with self.uow_factory() as uow:
            ticket = self._visible(uow, user, number_text)
            for attachment in ticket.attachments:
                if attachment.id == attachment_id:
                    # A copy: the mapped row is expired once the unit of work ends.
                    return view_of(TicketAttachment, attachment)
            raise TicketNotFound(ticket.number)

    async def change_status(
        self, user: StaffAccount, number_text: str, *, to: str, note: str | None
    ) -> TicketPage:
        """Move the ticket on; the resident is told through the notification outbox.

        TicketNotFound outside the area; ValueError for an unknown word;
        InvalidTransition / RejectionNeedsReason from the lifecycle.
        """
        status = TicketStatus(to)
        with self.uow_factory() as uow:
            number = self._visible(uow, user, number_text).number
        await self.tabik.change_status(number, to=status, actor=user.actor, note=note)
        return await self.ticket(user, number)

    # --------------------------------------------------------------- filing

    async def file_on_behalf(self, user: StaffAccount, filing: Filing) -> str:
        """File for a walk-in resident; returns the number. The resident with a phone
        is told the number on WhatsApp. InvalidDraft / InvalidNik for bad fields, a place
        outside the user's area included, before anything is written.

        The ticket, its filer, the audit row and the resident's notice (an outbox row)
        are one transaction: a crash leaves all of them or none."""
        place = self._place_for(user, filing)
        name = (filing.name or "").strip()
        if not name:
            raise InvalidDraft("name", "")
        nik = validate_nik(filing.nik) if filing.nik and filing.nik.strip() else None
        phone = (filing.phone or "").strip() or None
        if phone is not None and not phone_forms(phone):
            raise InvalidDraft("phone", "")
        # No phone: the ticket belongs to the desk that filed it (nobody to notify).
        identity = (
            whatsapp_identity(phone)
            if phone
            else ChatIdentity(channel="console", account=user.actor)
        )

        def follow_up(uow: AbstractUnitOfWork, ticket: Ticket, now: datetime) -> None:
            assert isinstance(uow, StaffUnitOfWork)
            self._follow_up(uow, ticket, now, user, filing.kind, name, phone, nik, place)

        if filing.kind == "complaint":
            receipt = await self.tabik.file_complaint(
                ComplaintDraft(
                    category=filing.category or "",
                    description=filing.description or "",
                    reporter_name=name,
                    kabupaten_kota=place["kabupaten_kota"],
                    kecamatan=place["kecamatan"],
                    desa=place["desa"],
                ),
                identity=identity,
                idempotency_key=filing.idempotency_key,
                follow_up=follow_up,
            )
        elif filing.kind == "application":
            if nik is None:
                raise InvalidDraft("nik", "")
            if phone is None:
                raise InvalidDraft("phone", "")
            if not place["kabupaten_kota"]:
                raise InvalidDraft("kabupaten_kota", "")
            receipt = await self.tabik.apply_for_document(
                ApplicationDraft(
                    document_type=filing.document_type or "",
                    nik=nik,
                    full_name=name,
                    kabupaten_kota=place["kabupaten_kota"],
                    phone_number=phone,
                ),
                identity=identity,
                idempotency_key=filing.idempotency_key,
                follow_up=follow_up,
            )
        else:
            raise InvalidDraft("kind", filing.kind)
        return receipt.number

    @staticmethod
    def _place_for(user: StaffAccount, filing: Filing) -> dict[str, str | None]:
        """The place of the filing, inside the user's area: what the area fixes may be left
        out (a village files for its desa), but a place named outside it is refused."""
        area = user.area
        place: dict[str, str | None] = {}
        for field, mine in (
            ("kabupaten_kota", area.kabupaten_kota),
            ("kecamatan", area.kecamatan),
            ("desa", area.desa),
        ):
            given = (getattr(filing, field) or "").strip() or None
            if mine is not None and given is not None and given.casefold() != mine.casefold():
                raise InvalidDraft(field, given)
            place[field] = mine or given
        if not user.may_see(place["kabupaten_kota"], place["kecamatan"], place["desa"]):
            raise InvalidDraft("kabupaten_kota", place["kabupaten_kota"] or "")
        return place

    def _follow_up(
        self,
        uow: StaffUnitOfWork,
        ticket: Ticket,
        now: datetime,
        user: StaffAccount,
        kind: str,
        name: str,
        phone: str | None,
        nik: str | None,
        place: dict[str, str | None],
    ) -> None:
        """The desk's part of a new filing, inside the filing's unit of work."""
        assert ticket.id is not None and user.id is not None
        uow.staff.record_filer(ticket.id, user.id, now)
        # The desk knows where the resident lives even for an application.
        ticket.kecamatan = ticket.kecamatan or place["kecamatan"]
        ticket.desa = ticket.desa or place["desa"]
        nik_elsewhere = False
        resident = uow.residents.get(ticket.resident_id) if ticket.resident_id else None
        if resident is not None:
            resident.phone = resident.phone or phone
            if resident.nik is None and nik is not None:
                # A NIK is kept on this resident only; one another resident holds is never
                # merged: the ticket is flagged for staff and the audit says so.
                resident.nik = nik
                account = ticket.filed_by_identity_id or 0
                if uow.residents.nik_known_elsewhere(nik, account):
                    nik_elsewhere = True
                    ticket.nik_known_elsewhere = True
        uow.audit.add(
            AuditEntry(
                actor=user.actor,
                action="ticket.filed_on_behalf",
                subject=ticket.number,
                created_at=now,
                details={
                    "phone_given": phone is not None,
                    "nik_given": nik is not None,
                    **({"nik_held_by_another_resident": True} if nik_elsewhere else {}),
                },
            )
        )
        if phone is not None:
            text = self.messages.render(
                "filed_on_behalf",
                name=name,
                number=ticket.number,
                kind_label=self.messages.kind_label(kind),
                area=user.area.label() if user.role is Role.VILLAGE else "Tabik",
            )
            self.messenger.enqueue_within(
                uow,
                whatsapp_identity(phone),
                [{"text": text}],
                kind=STAFF_KIND,
                key=f"filed:{ticket.number}",
            )

    def requirements(self, document_type: str | None) -> Any:
        """What to bring for an application (knowledge base), or None."""
        if not document_type or self.knowledge is None:
            return None
        return self.knowledge.requirements(document_type)


def whatsapp_of(uow: StaffUnitOfWork, ticket: Ticket) -> str | None:
    """The WhatsApp number the ticket was filed from: the way to reach the resident."""
    if ticket.filed_by_identity_id is None:
        return None
    account = uow.identities.get_by_id(ticket.filed_by_identity_id)
    if account is None or account.channel != "whatsapp":
        return None
    return "+" + account.account


def _place(ticket: Ticket) -> tuple[str | None, str | None, str | None]:
    return ticket.kabupaten_kota, ticket.kecamatan, ticket.desa
