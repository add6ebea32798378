"""What the staff desk shows and takes: the queue's query and rows, a ticket's page, a filing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["Filing", "QueueItem", "QueueQuery", "TicketPage"]


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
    agency_code: str | None = None  # the agency holding it (None: filed before agencies)
    agency_name: str | None = None
    escalated_to: str | None = None  # the agency above watching it once overdue

    def as_json(self) -> dict[str, Any]:
        data = {**asdict(self), "created_at": self.created_at.isoformat()}
        code, name = data.pop("agency_code"), data.pop("agency_name")
        data["agency"] = None if code is None else {"code": code, "name": name}
        return data


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
    # When a paper or phone report really reached an office; service levels count from it.
    received_at: datetime | None = None
