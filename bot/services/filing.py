"""Filing: a resident's complaint (aduan, ADU) or document application (permohonan, MHN)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.domain import tickets
from bot.domain.attachments import is_platform_ref
from bot.domain.errors import InvalidDraft, TicketNumberUnavailable
from bot.domain.identity import ChatIdentity
from bot.domain.model import (
    ChatAccount,
    Resident,
    Ticket,
    TicketAttachment,
    TicketKind,
)
from bot.domain.nik import validate_nik
from bot.domain.office_hours import WIB
from bot.domain.privacy import mask_phone
from bot.domain.vocabulary import region_names
from bot.domain.vocabulary import values as vocabulary_values
from bot.services.agencies import AgencyDirectory
from bot.services.limits import COMPLAINT_LIMIT, DailyLimit
from bot.services.shared import (
    MAX_NUMBER_ATTEMPTS,
    UnitOfWorkService,
    audit,
    blank_to_none,
    chat_account,
    hashed,
    receipt,
)
from bot.services.unit_of_work import AbstractUnitOfWork, DuplicateKey
from bot.services.views import (
    ApplicationDraft,
    Attachment,
    ComplaintDraft,
    NumberGenerator,
    Receipt,
)

log = logging.getLogger(__name__)

# Work to do with a newly filed ticket in the same transaction as the filing (the
# desk's filer, audit and the resident's notice): both are kept, or neither.
FollowUp = Callable[[AbstractUnitOfWork, Ticket, datetime], None]


def platform_attachments(draft: ComplaintDraft, identity: ChatIdentity) -> list[Attachment]:
    """The draft's photos that a channel delivered to this chat account: a reference of
    another shape or platform was typed, not sent, and is dropped (and logged)."""
    kept = [a for a in draft.attachments if is_platform_ref(a.ref, channel=identity.channel)]
    if len(kept) < len(draft.attachments):
        log.warning(
            "%d attachment(s) from %s dropped: not delivered by the platform",
            len(draft.attachments) - len(kept),
            identity.masked(),
        )
    return kept


@dataclass(eq=False, kw_only=True)
class Filing(UnitOfWorkService):
    """Files tickets; a repeated idempotency key from the same chat returns the first one."""

    number_generator: NumberGenerator = tickets.generate
    complaint_limit: DailyLimit | None = COMPLAINT_LIMIT
    # Where new tickets go: the catalogue and routing rules with the admins' changes.
    agencies: AgencyDirectory = field(default_factory=AgencyDirectory)

    async def file_complaint(
        self,
        draft: ComplaintDraft,
        *,
        identity: ChatIdentity,
        idempotency_key: str | None = None,
        follow_up: FollowUp | None = None,
    ) -> Receipt:
        """File an aduan (ADU ticket, ``diterima``); a repeated key returns the first ticket.

        ``follow_up`` runs on a new ticket before the filing commits. DailyLimitReached
        once the chat account filed ``complaint_limit`` complaints today.
        """
        category = draft.category
        if category not in vocabulary_values("complaint_category"):
            raise InvalidDraft("category", category)
        description = blank_to_none(draft.description)
        if description is None:
            raise InvalidDraft("description", draft.description)
        if draft.kabupaten_kota is not None and draft.kabupaten_kota not in region_names():
            raise InvalidDraft("kabupaten_kota", draft.kabupaten_kota)
        return await asyncio.to_thread(
            self._file, TicketKind.COMPLAINT, draft, identity, idempotency_key, None, follow_up
        )

    async def apply_for_document(
        self,
        draft: ApplicationDraft,
        *,
        identity: ChatIdentity,
        idempotency_key: str | None = None,
        follow_up: FollowUp | None = None,
    ) -> Receipt:
        """File a permohonan (MHN ticket); the NIK is validated again (InvalidNik).
        ``follow_up`` runs on a new ticket before the filing commits."""
        nik = validate_nik(draft.nik)
        if draft.document_type not in vocabulary_values("document_type"):
            raise InvalidDraft("document_type", draft.document_type)
        if draft.kabupaten_kota not in region_names():
            raise InvalidDraft("kabupaten_kota", draft.kabupaten_kota)
        if blank_to_none(draft.full_name) is None:
            raise InvalidDraft("full_name", draft.full_name)
        if len(re.sub(r"\D", "", draft.phone_number or "")) < 8:
            raise InvalidDraft("phone_number", mask_phone(draft.phone_number) or "")
        return await asyncio.to_thread(
            self._file, TicketKind.APPLICATION, draft, identity, idempotency_key, nik, follow_up
        )

    def _file(
        self,
        kind: TicketKind,
        draft: ComplaintDraft | ApplicationDraft,
        identity: ChatIdentity,
        idempotency_key: str | None,
        nik: str | None = None,
        follow_up: FollowUp | None = None,
    ) -> Receipt:
        # Keys are scoped to the chat account: another account's key can never
        # return (and so reveal) someone else's ticket.
        stored_key = (
            hashed(identity.channel, identity.account, idempotency_key) if idempotency_key else None
        )
        with self.uow_factory() as uow:
            if stored_key is not None:
                existing = uow.tickets.get_by_idempotency_key(stored_key)
                if existing is not None:
                    log.info("repeated filing %s from %s", existing.number, identity.masked())
                    return receipt(existing, created=False)
            now = self.clock()
            account = chat_account(uow, identity, now)
            actor = f"identity:{account.id}"
            if isinstance(draft, ComplaintDraft):
                if follow_up is None:
                    # A desk filing (it brings its follow-up) is staff work, not the
                    # resident's own chat: the daily limit is for chat accounts.
                    self._check_limit(uow, account, kind, now)
                fields = self._complaint_fields(uow, draft, now)
            else:
                assert nik is not None
                fields = self._application_fields(uow, draft, nik, account, now)
            fields.update(filed_by_identity_id=account.id, idempotency_key=stored_key)
            for attempt in range(1, MAX_NUMBER_ATTEMPTS + 1):
                number = str(self.number_generator(kind, now.astimezone(WIB).date()))
                ticket = Ticket.file(number=number, kind=kind, actor=actor, at=now, **fields)
                ticket.agency_code = self.agencies.route(uow, ticket)
                if isinstance(draft, ComplaintDraft):
                    ticket.attachments.extend(
                        TicketAttachment(created_at=now, **asdict(a))
                        for a in platform_attachments(draft, identity)
                    )
                try:
                    uow.tickets.add(ticket)
                    break
                except DuplicateKey:
                    if stored_key is not None:
                        # Two confirmations raced; the other one filed it.
                        existing = uow.tickets.get_by_idempotency_key(stored_key)
                        if existing is not None:
                            return receipt(existing, created=False)
                    log.warning("ticket number %s taken (attempt %d); retrying", number, attempt)
            else:
                raise TicketNumberUnavailable(MAX_NUMBER_ATTEMPTS)
            details = {
                "kind": kind.value,
                "subject": ticket.subject,
                "kabupaten_kota": ticket.kabupaten_kota,
                "agency": ticket.agency_code,
                "attachments": len(ticket.attachments),
                "idempotency_key": bool(stored_key),
            }
            audit(uow, actor, "ticket.filed", ticket.number, now, details)
            if ticket.nik_known_elsewhere:
                # No NIK in the audit: the flag and the ticket say enough to look it up.
                audit(uow, actor, "ticket.nik_known_elsewhere", ticket.number, now, {})
                log.warning(
                    "%s names a NIK known under another chat account (%s)",
                    ticket.number,
                    identity.masked(),
                )
            if follow_up is not None:
                follow_up(uow, ticket, now)
            uow.commit()
            log.info("filed %s from %s", ticket.number, identity.masked())
            return receipt(ticket, created=True)

    def _check_limit(
        self, uow: AbstractUnitOfWork, account: ChatAccount, kind: TicketKind, now: datetime
    ) -> None:
        # Counted in this unit of work: a repeated confirmation (above) costs nothing.
        limit = self.complaint_limit
        if limit is not None and account.id is not None:
            limit.check(uow.tickets.count_filed_since(account.id, kind, limit.day_start(now)))

    @staticmethod
    def _complaint_fields(
        uow: AbstractUnitOfWork, draft: ComplaintDraft, now: datetime
    ) -> dict[str, Any]:
        resident_id = None
        # A complaint is tied to a person only when the resident gave a name:
        # anonymous reports (pungli!) must stay anonymous to officers too.
        name = blank_to_none(draft.reporter_name)
        if name is not None:
            resident = Resident(full_name=name, created_at=now)
            uow.residents.add(resident)
            resident_id = resident.id
        return {
            "category": draft.category,
            "description": blank_to_none(draft.description),
            "kabupaten_kota": draft.kabupaten_kota,
            "kecamatan": blank_to_none(draft.kecamatan),
            "desa": blank_to_none(draft.desa),
            "location_text": blank_to_none(draft.location_text),
            "latitude": draft.latitude,
            "longitude": draft.longitude,
            "private": draft.private,
            "resident_id": resident_id,
        }

    @staticmethod
    def _application_fields(
        uow: AbstractUnitOfWork,
        draft: ApplicationDraft,
        nik: str,
        account: ChatAccount,
        now: datetime,
    ) -> dict[str, Any]:
        """The applicant as this chat account names them; never another account's resident.

        Knowing a NIK proves nothing (it is printed on every KTP copy), so a NIK never
        attaches the applicant to a resident someone else filed as: they would see that
        person's name and phone, and staff would see them on the ticket. A NIK already
        known under another account is flagged for staff to check in person instead.
        """
        full_name = draft.full_name.strip()
        phone = draft.phone_number.strip()
        assert account.id is not None
        own = uow.residents.get(account.resident_id) if account.resident_id is not None else None
        if own is not None and own.nik == nik:
            # The same chat account as before: its latest name and phone win.
            own.full_name, own.phone = full_name, phone
            resident = own
        else:
            resident = Resident(full_name=full_name, nik=nik, phone=phone, created_at=now)
            uow.residents.add(resident)
        if account.resident_id is None:
            account.resident_id = resident.id
        return {
            "document_type": draft.document_type,
            "kabupaten_kota": draft.kabupaten_kota,
            "resident_id": resident.id,
            "nik_known_elsewhere": uow.residents.nik_known_elsewhere(nik, account.id),
        }
