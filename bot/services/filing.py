"""Filing: a resident's complaint (aduan, ADU) or document application (permohonan, MHN)."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.adapters.db.repository import DuplicateKey
from bot.adapters.db.uow import AbstractUnitOfWork
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
from bot.services.shared import (
    MAX_NUMBER_ATTEMPTS,
    UnitOfWorkService,
    audit,
    blank_to_none,
    chat_account,
    hashed,
    receipt,
)
from bot.services.views import (
    ApplicationDraft,
    Attachment,
    ComplaintDraft,
    NumberGenerator,
    Receipt,
)

log = logging.getLogger(__name__)


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

    async def file_complaint(
        self,
        draft: ComplaintDraft,
        *,
        identity: ChatIdentity,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """File an aduan (ADU ticket, ``diterima``); a repeated key returns the first ticket."""
        category = draft.category
        if category not in vocabulary_values("complaint_category"):
            raise InvalidDraft("category", category)
        description = blank_to_none(draft.description)
        if description is None:
            raise InvalidDraft("description", draft.description)
        if draft.kabupaten_kota is not None and draft.kabupaten_kota not in region_names():
            raise InvalidDraft("kabupaten_kota", draft.kabupaten_kota)
        return await asyncio.to_thread(
            self._file, TicketKind.COMPLAINT, draft, identity, idempotency_key
        )

    async def apply_for_document(
        self,
        draft: ApplicationDraft,
        *,
        identity: ChatIdentity,
        idempotency_key: str | None = None,
    ) -> Receipt:
        """File a permohonan (MHN ticket); the NIK is validated again (InvalidNik)."""
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
            self._file, TicketKind.APPLICATION, draft, identity, idempotency_key, nik
        )

    def _file(
        self,
        kind: TicketKind,
        draft: ComplaintDraft | ApplicationDraft,
        identity: ChatIdentity,
        idempotency_key: str | None,
        nik: str | None = None,
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
                fields = self._complaint_fields(uow, draft, now)
            else:
                assert nik is not None
                fields = self._application_fields(uow, draft, nik, account, now)
            fields.update(filed_by_identity_id=account.id, idempotency_key=stored_key)
            for attempt in range(1, MAX_NUMBER_ATTEMPTS + 1):
                number = str(self.number_generator(kind, now.astimezone(WIB).date()))
                ticket = Ticket.file(number=number, kind=kind, actor=actor, at=now, **fields)
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
                "attachments": len(ticket.attachments),
                "idempotency_key": bool(stored_key),
            }
            audit(uow, actor, "ticket.filed", ticket.number, now, details)
            uow.commit()
            log.info("filed %s from %s", ticket.number, identity.masked())
            return receipt(ticket, created=True)

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
        full_name = draft.full_name.strip()
        phone = draft.phone_number.strip()
        resident = uow.residents.get_by_nik(nik)
        if resident is None:
            resident = Resident(full_name=full_name, nik=nik, phone=phone, created_at=now)
            try:
                uow.residents.add(resident)
            except DuplicateKey:
                resident = uow.residents.get_by_nik(nik)
                if resident is None:  # the clash was not the NIK: do not hide it
                    raise
        elif account.resident_id == resident.id:
            # The same chat account as before: its latest name and phone win.
            resident.full_name, resident.phone = full_name, phone
        if account.resident_id is None:
            account.resident_id = resident.id
        return {
            "document_type": draft.document_type,
            "kabupaten_kota": draft.kabupaten_kota,
            "resident_id": resident.id,
        }
