"""Tabik's domain: tickets, residents, chat accounts, officers, status history, audit.

Plain objects and rules only; nothing here knows about SQL. The persistence
layer (``bot.adapters.db``) maps these classes onto tables, so entities
(:class:`Entity`) compare by identity, not by value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from typing_extensions import dataclass_transform

from bot.domain.errors import InvalidTransition, RejectionNeedsReason
from bot.domain.tickets import TicketKind

__all__ = [
    "TRANSITIONS",
    "AuditEntry",
    "ChatAccount",
    "Entity",
    "HandoffRequest",
    "HandoffStatus",
    "Officer",
    "OfficerRole",
    "Resident",
    "StatusChange",
    "Ticket",
    "TicketAttachment",
    "TicketKind",
    "TicketStatus",
]


class TicketStatus(str, enum.Enum):
    """Status words as residents read them (docs/interface.md, "Tickets")."""

    DITERIMA = "diterima"
    DIVERIFIKASI = "diverifikasi"
    DITERUSKAN = "diteruskan"
    DIPROSES = "diproses"
    SELESAI = "selesai"
    DITOLAK = "ditolak"

    @property
    def is_final(self) -> bool:
        return not TRANSITIONS[self]

    @property
    def allowed_next(self) -> frozenset[TicketStatus]:
        return TRANSITIONS[self]


# The lifecycle as data: one step forward at a time, or a rejection from any
# open state. Final states have no way out (a reopened case is a new ticket).
TRANSITIONS: Mapping[TicketStatus, frozenset[TicketStatus]] = MappingProxyType(
    {
        TicketStatus.DITERIMA: frozenset({TicketStatus.DIVERIFIKASI, TicketStatus.DITOLAK}),
        TicketStatus.DIVERIFIKASI: frozenset({TicketStatus.DITERUSKAN, TicketStatus.DITOLAK}),
        TicketStatus.DITERUSKAN: frozenset({TicketStatus.DIPROSES, TicketStatus.DITOLAK}),
        TicketStatus.DIPROSES: frozenset({TicketStatus.SELESAI, TicketStatus.DITOLAK}),
        TicketStatus.SELESAI: frozenset(),
        TicketStatus.DITOLAK: frozenset(),
    }
)


@dataclass_transform(eq_default=False, field_specifiers=(field,))
@dataclass(eq=False)
class Entity:
    """A row of the system of record: compared by identity, ``id`` set once stored.

    Subclasses declare their fields as a dataclass would, without the decorator:
    this base makes each of them a dataclass (``eq=False``), with ``id`` as the
    last, keyword-only, parameter.
    """

    id: int | None = field(default=None, kw_only=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(eq=False)(cls)


class Resident(Entity):
    full_name: str | None
    created_at: datetime
    nik: str | None = None  # stored whole; shown only through bot.domain.nik.mask_nik
    phone: str | None = None


class ChatAccount(Entity):
    """A chat account known to the system of record (one per channel + account)."""

    channel: str
    account: str
    created_at: datetime
    resident_id: int | None = None


class TicketAttachment(Entity):
    kind: str  # "photo", "document", …
    ref: str  # channel-qualified media id: "wa:<media id>", "tg:<file_id>"
    created_at: datetime
    mime_type: str | None = None
    caption: str | None = None
    added_by: str | None = None  # the officer who attached it (a photo of the result)


class StatusChange(Entity):
    """One line of a ticket's history; appended, never edited."""

    from_status: TicketStatus | None
    to_status: TicketStatus
    actor: str
    created_at: datetime
    note: str | None = None


class Ticket(Entity):
    number: str
    kind: TicketKind
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    category: str | None = None  # complaint_category value, for ADU
    document_type: str | None = None  # document_type value, for MHN
    kabupaten_kota: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    location_text: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str | None = None
    private: bool = True
    filed_by_identity_id: int | None = None
    resident_id: int | None = None
    filed_on_behalf_by: int | None = None  # officer id, when an officer files for a resident
    idempotency_key: str | None = None
    # The application's NIK was already known under another chat account: staff check
    # the applicant's identity in person (identities are never merged by NIK).
    nik_known_elsewhere: bool = False
    # The agency (instansi) that holds it, the one above watching it once overdue, and
    # when a paper or phone report really reached an office (None: when it was filed).
    agency_code: str | None = None
    escalated_to: str | None = None
    escalated_at: datetime | None = None
    received_at: datetime | None = None
    attachments: list[TicketAttachment] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)

    @classmethod
    def file(
        cls, *, number: str, kind: TicketKind, actor: str, at: datetime, **fields: Any
    ) -> Ticket:
        """A new ticket in ``diterima`` with its first history line."""
        ticket = cls(
            number=number,
            kind=kind,
            status=TicketStatus.DITERIMA,
            created_at=at,
            updated_at=at,
            **fields,
        )
        ticket.history.append(
            StatusChange(
                from_status=None, to_status=TicketStatus.DITERIMA, actor=actor, created_at=at
            )
        )
        return ticket

    @property
    def subject(self) -> str:
        """What the ticket is about: the complaint category or the document type."""
        return (self.category if self.kind is TicketKind.COMPLAINT else self.document_type) or ""

    @property
    def status_at(self) -> datetime:
        return self.history[-1].created_at if self.history else self.updated_at

    @property
    def latest_note(self) -> str | None:
        return self.history[-1].note if self.history else None

    def change_status(
        self, to: TicketStatus, *, actor: str, at: datetime, note: str | None = None
    ) -> StatusChange:
        """Move along the lifecycle; raise InvalidTransition / RejectionNeedsReason otherwise."""
        note = (note or "").strip() or None
        if to not in TRANSITIONS[self.status]:
            raise InvalidTransition(self.status, to)
        if to is TicketStatus.DITOLAK and note is None:
            raise RejectionNeedsReason()
        change = StatusChange(
            from_status=self.status, to_status=to, actor=actor, created_at=at, note=note
        )
        self.history.append(change)
        self.status = to
        self.updated_at = at
        return change


class OfficerRole(str, enum.Enum):
    ADMIN = "admin"
    OFFICER = "officer"  # a kabupaten/kota's service desk
    VILLAGE = "village"  # a desa's officer


class Officer(Entity):
    name: str
    role: OfficerRole
    kabupaten_kota: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    chat_identity_id: int | None = None
    active: bool = True

    def may_see(self, ticket: Ticket) -> bool:
        """Whether this officer is authorised for the ticket's details (its area only)."""
        if not self.active:
            return False
        if self.role is OfficerRole.ADMIN:
            return True
        same_region = (
            self.kabupaten_kota is not None and self.kabupaten_kota == ticket.kabupaten_kota
        )
        if self.role is OfficerRole.OFFICER:
            return same_region
        return same_region and self.desa is not None and self.desa == ticket.desa


class AuditEntry(Entity):
    actor: str
    action: str  # "ticket.filed", "ticket.status_changed", "handoff.requested", …
    subject: str  # usually a ticket number or handoff reference
    created_at: datetime
    details: dict[str, Any] = field(default_factory=dict)  # never raw NIK/phone


class HandoffStatus(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class HandoffRequest(Entity):
    reference: str
    identity_id: int
    created_at: datetime
    reason: str | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)
    status: HandoffStatus = HandoffStatus.OPEN
