"""Helpers for action tests: a fake of the resident services and readers for what an action did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Generic, TypeVar

from rasa_sdk.executor import CollectingDispatcher

from bot.adapters.knowledge import load_knowledge
from bot.domain import tickets
from bot.domain.errors import RatingNotPending, TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.knowledge import Requirement
from bot.domain.model import TicketKind, TicketStatus
from bot.domain.office_hours import OfficeSchedule
from bot.domain.public_data import FoodPrice, SocialAidStatus, VehicleTax
from bot.services import views
from bot.services.information import Information
from bot.services.ports import ResidentServices
from bot.services.ratings import PendingRating

FILED_AT = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)
OFFICE_HOURS = "Senin–Kamis 08.00–15.00 WIB, Jumat 08.00–11.30 WIB"
T = TypeVar("T")
Draft = views.ComplaintDraft | views.ApplicationDraft


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The names of the responses an action uttered, in order."""
    return [message.get("response") for message in dispatcher.messages]


def message(dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
    """The first message for a response (its kwargs and buttons)."""
    return next(m for m in dispatcher.messages if m.get("response") == response)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """``{slot: value}`` of the SlotSet events, the last one winning."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


class Raises:
    """An outside system's answer that is an exception."""

    def __init__(self, error: Exception) -> None:
        self.error = error


@dataclass
class FakeSource(Generic[T]):
    """One outside system: answers ``answer`` (or raises it) and records the questions."""

    answer: T | Raises
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def ask(self, *args: Any) -> T:
        self.calls.append(args)
        if isinstance(self.answer, Raises):
            raise self.answer.error
        return self.answer


@dataclass
class FakeUpstream:
    vehicle_tax: FakeSource[VehicleTax] = field(
        default_factory=lambda: FakeSource(
            VehicleTax(
                plate="BE 1234 AB",
                vehicle="Honda Beat 2019",
                amount=1234500,
                due_date=date(2027, 1, 5),
                fine=0,
                total=1234500,
                is_demo=True,
                source="Bapenda Lampung (contoh)",
            )
        )
    )
    social_aid: FakeSource[SocialAidStatus] = field(
        default_factory=lambda: FakeSource(
            SocialAidStatus(
                registered=True,
                programmes=("PKH", "BPNT"),
                is_demo=True,
                checked_at=FILED_AT,
                source="DTKS (contoh)",
            )
        )
    )
    food_prices: FakeSource[FoodPrice] = field(
        default_factory=lambda: FakeSource(
            FoodPrice(
                commodity="beras",
                label="Beras",
                kabupaten_kota=None,
                price=14500,
                unit="kg",
                date=date(2026, 11, 27),
                source="Dinas Ketahanan Pangan (contoh)",
                is_demo=True,
            )
        )
    )


class FakeServices:
    """Records what actions ask of the services; answers from what a test sets up.

    Information comes from the real knowledge base (``information``); a test sets
    ``information = Information(None)`` to see the knowledge base missing.
    """

    def __init__(self) -> None:
        self.information = Information(load_knowledge())
        self.upstream = FakeUpstream()
        self.filed: list[tuple[str, Draft, ChatIdentity, str | None]] = []
        self.handoffs: list[dict[str, Any]] = []
        self.views: dict[str, views.StatusView | Exception] = {}
        self.own: list[views.StatusView] = []
        self.fail_filing: Exception | None = None
        self.within_office_hours = True
        # Rating after selesai: the question pending per chat account (sender id).
        self.pending_ratings: dict[str, PendingRating] = {}
        self.ratings: dict[str, int] = {}
        self.reasons: dict[str, str] = {}

    async def file_complaint(
        self,
        draft: views.ComplaintDraft,
        *,
        identity: ChatIdentity,
        idempotency_key: str | None = None,
    ) -> views.Receipt:
        return self._file("ADU-261128-7KQ2", TicketKind.COMPLAINT, draft, identity, idempotency_key)

    async def apply_for_document(
        self,
        draft: views.ApplicationDraft,
        *,
        identity: ChatIdentity,
        idempotency_key: str | None = None,
    ) -> views.Receipt:
        return self._file(
            "MHN-261128-8MP3", TicketKind.APPLICATION, draft, identity, idempotency_key
        )

    def _file(
        self,
        number: str,
        kind: TicketKind,
        draft: views.ComplaintDraft | views.ApplicationDraft,
        identity: ChatIdentity,
        key: str | None,
    ) -> views.Receipt:
        if self.fail_filing is not None:
            raise self.fail_filing
        self.filed.append((number, draft, identity, key))
        return views.Receipt(
            number=number,
            kind=kind,
            status=TicketStatus.DITERIMA,
            created_at=FILED_AT,
            created=True,
        )

    async def ticket_status(self, number_text: str, *, identity: ChatIdentity) -> views.StatusView:
        number = str(tickets.parse(number_text))
        found = self.views.get(number)
        if found is None:
            raise TicketNotFound(number)
        if isinstance(found, Exception):
            raise found
        return found

    async def tickets_of(self, identity: ChatIdentity, *, limit: int = 5) -> list[views.StatusView]:
        return self.own[:limit]

    async def request_handoff(
        self, *, identity: ChatIdentity, reason: str | None, transcript: list[dict[str, str]]
    ) -> views.HandoffReceipt:
        self.handoffs.append({"identity": identity, "reason": reason, "transcript": transcript})
        return views.HandoffReceipt(
            reference="CS-261128-ABCD",
            created_at=FILED_AT,
            within_office_hours=self.within_office_hours,
            office_hours=OFFICE_HOURS,
        )

    def requirement(self, document_type: str) -> Requirement:
        return self.information.requirement(document_type)

    def offices(self, kabupaten_kota: str, *, kind: str | None = None) -> views.OfficeListing:
        return self.information.offices(kabupaten_kota, kind=kind)

    def office_hours(self) -> OfficeSchedule:
        return self.information.office_hours()

    def emergency_numbers(self, kabupaten_kota: str | None) -> views.EmergencyNumbers:
        return self.information.emergency_numbers(kabupaten_kota)

    async def vehicle_tax(self, plate: str) -> VehicleTax:
        return self.upstream.vehicle_tax.ask(plate)

    async def social_aid(self, nik: str) -> SocialAidStatus:
        return self.upstream.social_aid.ask(nik)

    async def food_prices(self, commodity: str, kabupaten_kota: str | None = None) -> FoodPrice:
        return self.upstream.food_prices.ask(commodity, kabupaten_kota)

    async def pending_rating(self, identity: ChatIdentity) -> PendingRating | None:
        return self.pending_ratings.get(identity.sender_id)

    async def rate_ticket(self, number: str, score: int, *, identity: ChatIdentity) -> None:
        pending = self.pending_ratings.get(identity.sender_id)
        if pending is None or pending.number != number:
            raise RatingNotPending(number, "not asked")
        del self.pending_ratings[identity.sender_id]
        self.ratings[number] = score

    async def explain_rating(self, number: str, reason: str, *, identity: ChatIdentity) -> None:
        if number not in self.ratings:
            raise RatingNotPending(number, "not rated")
        self.reasons[number] = reason


def _check(fake: FakeServices) -> ResidentServices:
    """mypy proves here that the fake offers what the real services offer, with the same types."""
    return fake
