"""The facade actions call: filing, status lookups, handoff, officers' status changes.

Every public method is ``async``; the database work runs in a worker thread
(:func:`asyncio.to_thread`) so the action server's event loop never blocks on
SQL. Each call is one unit of work: it commits everything or nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.db.repository import DuplicateKey
from bot.adapters.db.uow import AbstractUnitOfWork
from bot.adapters.kv import KeyValueStore
from bot.domain import tickets
from bot.domain.errors import (
    HandoffReferenceUnavailable,
    InvalidDraft,
    NotConfigured,
    NotificationNotFound,
    TicketNotFound,
    TicketNumberUnavailable,
    TooManyLookups,
)
from bot.domain.identity import ChatIdentity
from bot.domain.model import (
    AuditEntry,
    ChatAccount,
    HandoffRequest,
    Notification,
    NotificationStatus,
    Resident,
    StatusChange,
    Ticket,
    TicketAttachment,
    TicketKind,
    TicketStatus,
)
from bot.domain.nik import mask_nik, validate_nik
from bot.domain.privacy import mask_phone, mask_text
from bot.domain.vocabulary import region_names
from bot.domain.vocabulary import values as vocabulary_values

log = logging.getLogger(__name__)

__all__ = [
    "WIB",
    "ApplicationDraft",
    "Attachment",
    "ComplaintDraft",
    "HandoffReceipt",
    "NotificationView",
    "NumberGenerator",
    "Receipt",
    "StatusChangeView",
    "StatusView",
    "Tabik",
    "TicketDetails",
    "within_office_hours",
]

# Lampung is on Western Indonesian Time; ticket dates and office hours use it.
WIB = ZoneInfo("Asia/Jakarta")
OFFICE_DAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday
OFFICE_OPENS = time(8, 0)
OFFICE_CLOSES = time(16, 0)

LOOKUP_MISS_LIMIT = 5
LOOKUP_WINDOW_SECONDS = 600.0
# REST and terminal identities are free to invent, so they share one (larger) miss budget.
SHARED_LOOKUP_CHANNELS = frozenset({"rest", "cli"})
SHARED_LOOKUP_FACTOR = 20
# A 4-character suffix gives ~920,000 numbers per kind and day; a handful of
# clashes in a row means something is wrong, not bad luck.
MAX_NUMBER_ATTEMPTS = 8
HANDOFF_PREFIX = "CS"
# A notification is tried this many times in all; waits between tries double from
# the base (30 s, 1, 2, 4 min): a platform outage of a few minutes loses nothing.
NOTIFICATION_MAX_ATTEMPTS = 5
NOTIFICATION_RETRY_BASE_SECONDS = 30.0
NOTIFICATION_RETRY_MAX_SECONDS = 3600.0
LAST_ERROR_MAX_CHARS = 500

NumberGenerator = Callable[[TicketKind, date], tickets.TicketNumber]


@dataclass(frozen=True)
class Attachment:
    kind: str
    ref: str
    mime_type: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class ComplaintDraft:
    category: str
    description: str
    kabupaten_kota: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    location_text: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    attachments: tuple[Attachment, ...] = ()
    private: bool = True
    reporter_name: str | None = None


@dataclass(frozen=True)
class ApplicationDraft:
    document_type: str
    nik: str
    full_name: str
    kabupaten_kota: str
    phone_number: str


@dataclass(frozen=True)
class Receipt:
    number: str
    kind: TicketKind
    status: TicketStatus
    created_at: datetime
    created: bool  # False when the idempotency key was seen before


@dataclass(frozen=True)
class StatusChangeView:
    from_status: TicketStatus | None
    to_status: TicketStatus
    at: datetime
    note: str | None


@dataclass(frozen=True)
class TicketDetails:
    description: str | None
    location_text: str | None
    kabupaten_kota: str | None
    kecamatan: str | None
    desa: str | None
    full_name: str | None
    nik_masked: str | None
    phone_masked: str | None
    attachments: int


@dataclass(frozen=True)
class StatusView:
    number: str
    kind: TicketKind
    subject: str  # category or document_type value
    status: TicketStatus
    status_at: datetime
    created_at: datetime
    note: str | None  # the note of the latest change (e.g. the rejection reason)
    is_owner: bool
    # Only for the owner (the chat account that filed) or an authorised officer.
    details: TicketDetails | None
    history: tuple[StatusChangeView, ...]  # same audience as details, else ()


@dataclass(frozen=True)
class NotificationView:
    """A pending notification as the notifier needs it (channel and account to send to)."""

    id: int
    number: str
    status: TicketStatus  # the status the ticket changed to (when the row was written)
    note: str | None
    channel: str | None  # the filing chat identity's channel; None when filed without one
    account: str | None
    created_at: datetime
    attempts: int

    @property
    def identity(self) -> ChatIdentity | None:
        if self.channel is None or self.account is None:
            return None
        return ChatIdentity(channel=self.channel, account=self.account)


@dataclass(frozen=True)
class HandoffReceipt:
    reference: str
    created_at: datetime
    within_office_hours: bool


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def within_office_hours(at: datetime) -> bool:
    """Monday to Friday, 08:00 to 16:00 WIB (public holidays are not known here)."""
    local = at.astimezone(WIB)
    return local.weekday() in OFFICE_DAYS and OFFICE_OPENS <= local.time() < OFFICE_CLOSES


def _blank_to_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _hashed(*parts: str) -> str:
    """A stable opaque key; chat account ids (phone numbers on WhatsApp) stay out of keys."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class Tabik:
    """The system of record's services, over units of work from ``uow_factory``."""

    def __init__(
        self,
        uow_factory: Callable[[], AbstractUnitOfWork],
        *,
        store: KeyValueStore,
        knowledge: object | None = None,
        providers: object | None = None,
        clock: Callable[[], datetime] = _utc_now,
        number_generator: NumberGenerator = tickets.generate,
        lookup_miss_limit: int = LOOKUP_MISS_LIMIT,
        lookup_window_seconds: float = LOOKUP_WINDOW_SECONDS,
    ) -> None:
        self.uow_factory = uow_factory
        self.store = store
        self.knowledge: Any = knowledge
        self.providers: Any = providers
        self.clock = clock
        self.number_generator = number_generator
        self.lookup_miss_limit = lookup_miss_limit
        self.lookup_window_seconds = lookup_window_seconds

    # ----------------------------------------------------------------- filing

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
        description = _blank_to_none(draft.description)
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
        if _blank_to_none(draft.full_name) is None:
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
            _hashed(identity.channel, identity.account, idempotency_key)
            if idempotency_key
            else None
        )
        with self.uow_factory() as uow:
            if stored_key is not None:
                existing = uow.tickets.get_by_idempotency_key(stored_key)
                if existing is not None:
                    log.info("repeated filing %s from %s", existing.number, identity.masked())
                    return self._receipt(existing, created=False)
            now = self.clock()
            account = self._account(uow, identity, now)
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
                        TicketAttachment(
                            kind=a.kind,
                            ref=a.ref,
                            mime_type=a.mime_type,
                            caption=a.caption,
                            created_at=now,
                        )
                        for a in draft.attachments
                    )
                try:
                    uow.tickets.add(ticket)
                    break
                except DuplicateKey:
                    if stored_key is not None:
                        # Two confirmations raced; the other one filed it.
                        existing = uow.tickets.get_by_idempotency_key(stored_key)
                        if existing is not None:
                            return self._receipt(existing, created=False)
                    log.warning("ticket number %s taken (attempt %d); retrying", number, attempt)
            else:
                raise TicketNumberUnavailable(MAX_NUMBER_ATTEMPTS)
            uow.audit.add(
                AuditEntry(
                    actor=actor,
                    action="ticket.filed",
                    subject=ticket.number,
                    created_at=now,
                    details={
                        "kind": kind.value,
                        "subject": ticket.subject,
                        "kabupaten_kota": ticket.kabupaten_kota,
                        "attachments": len(ticket.attachments),
                        "idempotency_key": bool(stored_key),
                    },
                )
            )
            uow.commit()
            log.info("filed %s from %s", ticket.number, identity.masked())
            return self._receipt(ticket, created=True)

    def _complaint_fields(
        self, uow: AbstractUnitOfWork, draft: ComplaintDraft, now: datetime
    ) -> dict[str, Any]:
        resident_id = None
        # A complaint is tied to a person only when the resident gave a name:
        # anonymous reports (pungli!) must stay anonymous to officers too.
        name = _blank_to_none(draft.reporter_name)
        if name is not None:
            resident = Resident(full_name=name, created_at=now)
            uow.residents.add(resident)
            resident_id = resident.id
        return {
            "category": draft.category,
            "description": _blank_to_none(draft.description),
            "kabupaten_kota": draft.kabupaten_kota,
            "kecamatan": _blank_to_none(draft.kecamatan),
            "desa": _blank_to_none(draft.desa),
            "location_text": _blank_to_none(draft.location_text),
            "latitude": draft.latitude,
            "longitude": draft.longitude,
            "private": draft.private,
            "resident_id": resident_id,
        }

    def _application_fields(
        self,
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

    def _account(
        self, uow: AbstractUnitOfWork, identity: ChatIdentity, now: datetime
    ) -> ChatAccount:
        account = uow.identities.get(identity.channel, identity.account)
        if account is not None:
            return account
        account = ChatAccount(channel=identity.channel, account=identity.account, created_at=now)
        try:
            uow.identities.add(account)
        except DuplicateKey:
            # The same account's other message got there first.
            existing = uow.identities.get(identity.channel, identity.account)
            if existing is None:
                raise
            return existing
        return account

    # ---------------------------------------------------------------- lookups

    def _miss_key(self, identity: ChatIdentity) -> str:
        if identity.channel in SHARED_LOOKUP_CHANNELS:
            # A REST id costs nothing to rotate: all REST clients share one budget.
            return "lookup-miss:shared:" + identity.channel
        return "lookup-miss:" + _hashed(identity.channel, identity.account)[:32]

    def _miss_limit(self, identity: ChatIdentity) -> int:
        if identity.channel in SHARED_LOOKUP_CHANNELS:
            return self.lookup_miss_limit * SHARED_LOOKUP_FACTOR
        return self.lookup_miss_limit

    async def ticket_status(self, number_text: str, *, identity: ChatIdentity) -> StatusView:
        """Status of a ticket by number; details and history only for its owner/officers.

        Raises InvalidTicketNumber (not a number), TicketNotFound (no such ticket) and,
        after too many unknown numbers from one account, TooManyLookups.
        """
        number = str(tickets.parse(number_text))
        key = self._miss_key(identity)
        misses = await self.store.get(key)
        if misses is not None and int(misses) >= self._miss_limit(identity):
            retry_after = await self.store.ttl(key)
            log.warning("lookups blocked for %s", identity.masked())
            raise TooManyLookups(
                retry_after if retry_after is not None else self.lookup_window_seconds
            )
        view = await asyncio.to_thread(self._status_for, number, identity)
        if view is None:
            await self.store.incr(key, self.lookup_window_seconds)
            raise TicketNotFound(number)
        return view

    def _status_for(self, number: str, identity: ChatIdentity) -> StatusView | None:
        with self.uow_factory() as uow:
            ticket = uow.tickets.get(number)
            if ticket is None:
                return None
            account = uow.identities.get(identity.channel, identity.account)
            is_owner = account is not None and ticket.filed_by_identity_id == account.id
            authorised = is_owner
            if not is_owner and account is not None and account.id is not None:
                officer = uow.officers.by_identity(account.id)
                authorised = officer is not None and officer.may_see(ticket)
            return self._view(uow, ticket, is_owner=is_owner, full=authorised)

    async def tickets_of(self, identity: ChatIdentity, *, limit: int = 5) -> list[StatusView]:
        """The tickets this chat account filed, newest first (owner views)."""
        return await asyncio.to_thread(self._tickets_of, identity, limit)

    def _tickets_of(self, identity: ChatIdentity, limit: int) -> list[StatusView]:
        with self.uow_factory() as uow:
            account = uow.identities.get(identity.channel, identity.account)
            if account is None or account.id is None:
                return []
            return [
                self._view(uow, ticket, is_owner=True, full=True)
                for ticket in uow.tickets.filed_by(account.id, limit=limit)
            ]

    async def ticket_record(self, number_text: str) -> StatusView:
        """Officer tooling (CLI): the full view of a ticket, no rate limit. TicketNotFound."""
        number = str(tickets.parse(number_text))
        view = await asyncio.to_thread(self._record, number)
        if view is None:
            raise TicketNotFound(number)
        return view

    def _record(self, number: str) -> StatusView | None:
        with self.uow_factory() as uow:
            ticket = uow.tickets.get(number)
            return None if ticket is None else self._view(uow, ticket, is_owner=False, full=True)

    # ---------------------------------------------------------------- officers

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
            uow.audit.add(
                AuditEntry(
                    actor=actor,
                    action="ticket.status_changed",
                    subject=ticket.number,
                    created_at=now,
                    details={
                        "from": change.from_status.value if change.from_status else None,
                        "to": change.to_status.value,
                        "note": change.note,
                    },
                )
            )
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
            return self._view(uow, ticket, is_owner=False, full=True)

    # ----------------------------------------------------------- notifications

    async def pending_notifications(self, *, limit: int = 50) -> list[NotificationView]:
        """Notifications due now (not sent, backoff over), oldest first.

        A ticket's later notification waits until its earlier ones are settled, so a
        resident never hears the statuses out of order.
        """
        return await asyncio.to_thread(self._pending_notifications, limit)

    def _pending_notifications(self, limit: int) -> list[NotificationView]:
        with self.uow_factory() as uow:
            return [
                self._notification_view(uow, n)
                for n in uow.notifications.due(now=self.clock(), limit=limit)
            ]

    async def due_notification(self, notification_id: int) -> NotificationView | None:
        """The notification if it is still due now, else None (sent, failed or waiting).

        The notifier asks again after claiming one: another instance may have
        settled it since the list was read.
        """
        return await asyncio.to_thread(self._due_notification, notification_id)

    def _due_notification(self, notification_id: int) -> NotificationView | None:
        with self.uow_factory() as uow:
            notification = uow.notifications.get(notification_id)
            if notification is None or notification.status is not NotificationStatus.PENDING:
                return None
            waiting_until = notification.next_attempt_at
            if waiting_until is not None and waiting_until > self.clock():
                return None
            return self._notification_view(uow, notification)

    async def mark_notification_sent(self, notification_id: int) -> None:
        """Record the delivery; a notification already sent stays as it was."""
        await asyncio.to_thread(self._mark_notification_sent, notification_id)

    def _mark_notification_sent(self, notification_id: int) -> None:
        with self.uow_factory() as uow:
            notification = self._notification(uow, notification_id)
            if notification.status is NotificationStatus.SENT:
                return
            notification.attempts += 1
            notification.next_attempt_at = None
            uow.notifications.mark_sent(notification, self.clock())
            uow.commit()

    async def mark_notification_failed(
        self, notification_id: int, *, reason: str, retry: bool
    ) -> None:
        """Record a failed attempt: try again later (doubling waits) or give up.

        Tabik gives up when ``retry`` is False (the resident cannot be reached that
        way) or after NOTIFICATION_MAX_ATTEMPTS attempts. ``reason`` is stored masked.
        """
        await asyncio.to_thread(self._mark_notification_failed, notification_id, reason, retry)

    def _mark_notification_failed(self, notification_id: int, reason: str, retry: bool) -> None:
        with self.uow_factory() as uow:
            notification = self._notification(uow, notification_id)
            if notification.status is not NotificationStatus.PENDING:
                log.warning(
                    "notification %d is %s already; failure not recorded",
                    notification_id,
                    notification.status.value,
                )
                return
            now = self.clock()
            notification.attempts += 1
            notification.last_error = mask_text(reason)[:LAST_ERROR_MAX_CHARS]
            if retry and notification.attempts < NOTIFICATION_MAX_ATTEMPTS:
                wait = min(
                    NOTIFICATION_RETRY_MAX_SECONDS,
                    NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (notification.attempts - 1),
                )
                notification.next_attempt_at = now + timedelta(seconds=wait)
                log.info(
                    "notification %d failed (attempt %d), next try in %.0f s",
                    notification_id,
                    notification.attempts,
                    wait,
                )
            else:
                notification.status = NotificationStatus.FAILED
                notification.failed_at = now
                notification.next_attempt_at = None
                log.error(
                    "notification %d given up after %d attempt(s): %s",
                    notification_id,
                    notification.attempts,
                    notification.last_error,
                )
            uow.commit()

    @staticmethod
    def _notification(uow: AbstractUnitOfWork, notification_id: int) -> Notification:
        notification = uow.notifications.get(notification_id)
        if notification is None:
            raise NotificationNotFound(notification_id)
        return notification

    @staticmethod
    def _notification_view(uow: AbstractUnitOfWork, notification: Notification) -> NotificationView:
        assert notification.id is not None
        account = (
            uow.identities.get_by_id(notification.identity_id)
            if notification.identity_id is not None
            else None
        )
        payload = notification.payload
        return NotificationView(
            id=notification.id,
            number=str(payload["number"]),
            status=TicketStatus(payload["status"]),
            note=payload.get("note"),
            channel=account.channel if account else None,
            account=account.account if account else None,
            created_at=notification.created_at,
            attempts=notification.attempts,
        )

    # ----------------------------------------------------------------- handoff

    async def request_handoff(
        self,
        *,
        identity: ChatIdentity,
        reason: str | None,
        transcript: list[dict[str, str]],
    ) -> HandoffReceipt:
        """Record a request for a human officer; says whether the office is open now."""
        return await asyncio.to_thread(self._request_handoff, identity, reason, list(transcript))

    def _request_handoff(
        self, identity: ChatIdentity, reason: str | None, transcript: list[dict[str, str]]
    ) -> HandoffReceipt:
        with self.uow_factory() as uow:
            now = self.clock()
            account = self._account(uow, identity, now)
            assert account.id is not None
            for attempt in range(1, MAX_NUMBER_ATTEMPTS + 1):
                suffix = "".join(secrets.choice(tickets.ALPHABET) for _ in range(4))
                reference = f"{HANDOFF_PREFIX}-{now.astimezone(WIB):%y%m%d}-{suffix}"
                request = HandoffRequest(
                    reference=reference,
                    identity_id=account.id,
                    created_at=now,
                    reason=_blank_to_none(reason),
                    transcript=[dict(line) for line in transcript],
                )
                try:
                    uow.handoffs.add(request)
                    break
                except DuplicateKey:
                    log.warning("handoff reference %s taken (attempt %d)", reference, attempt)
            else:
                raise HandoffReferenceUnavailable(MAX_NUMBER_ATTEMPTS)
            uow.audit.add(
                AuditEntry(
                    actor=f"identity:{account.id}",
                    action="handoff.requested",
                    subject=reference,
                    created_at=now,
                    details={"messages": len(transcript)},
                )
            )
            uow.commit()
            log.info("handoff %s requested by %s", reference, identity.masked())
            return HandoffReceipt(
                reference=reference, created_at=now, within_office_hours=within_office_hours(now)
            )

    # ------------------------------------------------ outside systems (adapters)

    def _provider(self, name: str) -> Any:
        if self.providers is None:
            raise NotConfigured("providers")
        return getattr(self.providers, name)

    async def vehicle_tax(self, plate: str) -> Any:
        """PKB of a vehicle, from ``providers.vehicle_tax`` (upstream errors pass through)."""
        return await self._provider("vehicle_tax").lookup(plate)

    async def social_aid(self, nik: str) -> Any:
        """Social aid status for a NIK; the NIK is validated first (InvalidNik)."""
        return await self._provider("social_aid").lookup(validate_nik(nik))

    async def food_prices(self, commodity: str, kabupaten_kota: str | None = None) -> Any:
        """Today's price of a commodity (province-wide when no kabupaten/kota is given)."""
        return await self._provider("food_prices").lookup(commodity, kabupaten_kota)

    # ------------------------------------------------------------------- views

    @staticmethod
    def _receipt(ticket: Ticket, *, created: bool) -> Receipt:
        return Receipt(
            number=ticket.number,
            kind=ticket.kind,
            status=ticket.status,
            created_at=ticket.created_at,
            created=created,
        )

    @staticmethod
    def _history(changes: list[StatusChange]) -> tuple[StatusChangeView, ...]:
        return tuple(
            StatusChangeView(
                from_status=c.from_status, to_status=c.to_status, at=c.created_at, note=c.note
            )
            for c in changes
        )

    def _view(
        self, uow: AbstractUnitOfWork, ticket: Ticket, *, is_owner: bool, full: bool
    ) -> StatusView:
        details = None
        if full:
            resident = (
                uow.residents.get(ticket.resident_id) if ticket.resident_id is not None else None
            )
            details = TicketDetails(
                description=ticket.description,
                location_text=ticket.location_text,
                kabupaten_kota=ticket.kabupaten_kota,
                kecamatan=ticket.kecamatan,
                desa=ticket.desa,
                full_name=resident.full_name if resident else None,
                nik_masked=mask_nik(resident.nik) if resident and resident.nik else None,
                phone_masked=mask_phone(resident.phone) if resident else None,
                attachments=len(ticket.attachments),
            )
        return StatusView(
            number=ticket.number,
            kind=ticket.kind,
            subject=ticket.subject,
            status=ticket.status,
            status_at=ticket.status_at,
            created_at=ticket.created_at,
            # A rejection's reason may name people or places: owners and officers only.
            note=ticket.latest_note if full else None,
            is_owner=is_owner,
            details=details,
            history=self._history(ticket.history) if full else (),
        )
