"""Filing at the desk for a walk-in resident: the place inside the officer's area, the
filer and audit rows, and the resident's notice on WhatsApp, in the filing's transaction."""

from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta

from bot.domain.errors import InvalidDraft
from bot.domain.identity import ChatIdentity
from bot.domain.model import AuditEntry, Ticket
from bot.domain.nik import validate_nik
from bot.domain.office_hours import WIB
from bot.domain.staff import Role, StaffAccount
from bot.services.desk_views import Filing
from bot.services.filing import Filing as FilingService
from bot.services.messaging import STAFF_KIND, Messenger, StaffSide, whatsapp_identity
from bot.services.unit_of_work import AbstractUnitOfWork
from bot.services.views import ApplicationDraft, ComplaintDraft

__all__ = ["RECEIVED_AT_MAX_AGE", "DeskFiling", "phone_forms", "received_at_of"]


def phone_forms(text: str) -> tuple[str, ...]:
    """The ways a phone number may be stored: ``0812…``, ``62812…``, ``+62812…``."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < 8:
        return ()
    national = "0" + digits[2:] if digits.startswith("62") else digits
    international = "62" + national[1:] if national.startswith("0") else digits
    return (national, international, "+" + international)


RECEIVED_AT_MAX_AGE = timedelta(days=90)


def received_at_of(text: str) -> datetime:
    """An ISO 8601 moment (``Z`` or an offset; none means WIB). InvalidDraft otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidDraft("received_at", text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


@dataclass(eq=False)
class DeskFiling(StaffSide):
    """Files tickets for residents who come to the desk."""

    messenger: Messenger
    _: KW_ONLY
    filing: FilingService

    async def file_on_behalf(self, user: StaffAccount, filing: Filing) -> str:
        """File for a walk-in resident; returns the number. The resident with a phone
        is told the number on WhatsApp. InvalidDraft / InvalidNik for bad fields, a place
        outside the user's area included, before anything is written.

        The ticket, its filer, the audit row and the resident's notice (an outbox row)
        are one transaction: a crash leaves all of them or none."""
        place = self._place_for(user, filing)
        received, now = filing.received_at, self.clock()
        if received is not None and not now - RECEIVED_AT_MAX_AGE <= received <= now:
            raise InvalidDraft("received_at", received.isoformat())
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
            self._follow_up(uow, ticket, now, user, filing.kind, name, phone, nik, place)
            ticket.received_at = filing.received_at

        if filing.kind == "complaint":
            receipt = await self.filing.file_complaint(
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
            receipt = await self.filing.apply_for_document(
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
        uow: AbstractUnitOfWork,
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
        uow.tickets.record_filer(ticket.id, user.id, now)
        # The desk knows where the resident lives even for an application.
        ticket.kecamatan = ticket.kecamatan or place["kecamatan"]
        ticket.desa = ticket.desa or place["desa"]
        # Routed again with the place the desk knows (an SKTM goes to the resident's desa).
        ticket.agency_code = self.filing.agencies.route(uow, ticket)
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
