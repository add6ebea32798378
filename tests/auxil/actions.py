"""Helpers for action tests: a fake Tabik facade and readers for what an action did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.adapters.knowledge import load_knowledge
from bot.adapters.upstream.food_prices import FoodPrice
from bot.adapters.upstream.social_aid import SocialAidStatus
from bot.adapters.upstream.vehicle_tax import VehicleTax
from bot.domain.errors import TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketKind, TicketStatus
from bot.services.tabik import HandoffReceipt, Receipt, StatusView

FILED_AT = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


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
    """A provider answer that is an exception."""

    def __init__(self, error: Exception) -> None:
        self.error = error


@dataclass
class FakeProvider:
    answer: Any = None
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    async def lookup(self, *args: Any) -> Any:
        self.calls.append(args)
        if isinstance(self.answer, Raises):
            raise self.answer.error
        return self.answer


@dataclass
class FakeProviders:
    vehicle_tax: FakeProvider = field(
        default_factory=lambda: FakeProvider(
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
    social_aid: FakeProvider = field(
        default_factory=lambda: FakeProvider(
            SocialAidStatus(
                registered=True,
                programmes=("PKH", "BPNT"),
                is_demo=True,
                checked_at=FILED_AT,
                source="DTKS (contoh)",
            )
        )
    )
    food_prices: FakeProvider = field(
        default_factory=lambda: FakeProvider(
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


class FakeTabik:
    """Records what actions ask of the facade; answers from what a test sets up."""

    def __init__(self) -> None:
        self.knowledge = load_knowledge()
        self.providers = FakeProviders()
        self.filed: list[tuple[str, Any, ChatIdentity, str | None]] = []
        self.handoffs: list[dict[str, Any]] = []
        self.views: dict[str, StatusView | Exception] = {}
        self.own: list[StatusView] = []
        self.fail_filing: Exception | None = None
        self.within_office_hours = True

    async def file_complaint(
        self, draft: Any, *, identity: ChatIdentity, idempotency_key: str | None = None
    ) -> Receipt:
        return self._file("ADU-261128-7KQ2", TicketKind.COMPLAINT, draft, identity, idempotency_key)

    async def apply_for_document(
        self, draft: Any, *, identity: ChatIdentity, idempotency_key: str | None = None
    ) -> Receipt:
        return self._file(
            "MHN-261128-8MP3", TicketKind.APPLICATION, draft, identity, idempotency_key
        )

    def _file(
        self, number: str, kind: TicketKind, draft: Any, identity: ChatIdentity, key: str | None
    ) -> Receipt:
        if self.fail_filing is not None:
            raise self.fail_filing
        self.filed.append((number, draft, identity, key))
        return Receipt(
            number=number,
            kind=kind,
            status=TicketStatus.DITERIMA,
            created_at=FILED_AT,
            created=True,
        )

    async def ticket_status(self, number_text: str, *, identity: ChatIdentity) -> StatusView:
        from bot.domain import tickets

        number = str(tickets.parse(number_text))
        found = self.views.get(number)
        if found is None:
            raise TicketNotFound(number)
        if isinstance(found, Exception):
            raise found
        return found

    async def tickets_of(self, identity: ChatIdentity, *, limit: int = 5) -> list[StatusView]:
        return self.own[:limit]

    async def request_handoff(
        self, *, identity: ChatIdentity, reason: str | None, transcript: list[dict[str, str]]
    ) -> HandoffReceipt:
        self.handoffs.append({"identity": identity, "reason": reason, "transcript": transcript})
        return HandoffReceipt(
            reference="CS-261128-ABCD",
            created_at=FILED_AT,
            within_office_hours=self.within_office_hours,
        )
