"""What goes into and comes out of the services: drafts, receipts and views.

Plain frozen dataclasses, so actions, the CLI and the console read typed
fields instead of duck-typing; none carries a NIK or phone number in clear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain import tickets
from bot.domain.knowledge import EmergencyContact, Office
from bot.domain.model import TicketKind, TicketStatus

__all__ = [
    "ApplicationDraft",
    "Attachment",
    "ComplaintDraft",
    "EmergencyNumbers",
    "HandoffReceipt",
    "NumberGenerator",
    "OfficeListing",
    "Receipt",
    "StatusChangeView",
    "StatusView",
    "TicketDetails",
]

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
class HandoffReceipt:
    reference: str
    created_at: datetime
    within_office_hours: bool
    office_hours: str  # the hours officers answer, for display (from offices.yml)


@dataclass(frozen=True)
class OfficeListing:
    """The offices of one kabupaten/kota, and the knowledge base's remark about them."""

    kabupaten_kota: str
    offices: tuple[Office, ...]
    region_note: str | None


@dataclass(frozen=True)
class EmergencyNumbers:
    """Numbers besides 112 (which is always said first, without asking anything)."""

    local: tuple[EmergencyContact, ...]  # the kabupaten/kota's own numbers
    national: tuple[EmergencyContact, ...]
