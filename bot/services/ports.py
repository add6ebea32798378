"""The shapes the services offer and need, as Protocols.

* :class:`ResidentServices` is exactly what the rasa-sdk actions call. Actions
  depend on this Protocol only; the real :class:`bot.services.tabik.Tabik` and
  the test double in ``tests/auxil/actions.py`` both satisfy it (mypy checks).
* :class:`PublicDataSources` is what :class:`bot.services.public_data.PublicData`
  needs: the three providers of :mod:`bot.domain.public_data`.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.identity import ChatIdentity
from bot.domain.knowledge import Requirement
from bot.domain.office_hours import OfficeSchedule
from bot.domain.public_data import (
    FoodPrice,
    FoodPriceProvider,
    SocialAidProvider,
    SocialAidStatus,
    VehicleTax,
    VehicleTaxProvider,
)
from bot.services.ratings import PendingRating
from bot.services.views import (
    ApplicationDraft,
    ComplaintDraft,
    EmergencyNumbers,
    HandoffReceipt,
    OfficeListing,
    Receipt,
    StatusView,
)

__all__ = ["PublicDataSources", "ResidentServices"]


class ResidentServices(Protocol):
    """Everything a resident's conversation can ask of Tabik."""

    # filing
    async def file_complaint(
        self, draft: ComplaintDraft, *, identity: ChatIdentity, idempotency_key: str | None = None
    ) -> Receipt: ...

    async def apply_for_document(
        self, draft: ApplicationDraft, *, identity: ChatIdentity, idempotency_key: str | None = None
    ) -> Receipt: ...

    # lookups
    async def ticket_status(self, number_text: str, *, identity: ChatIdentity) -> StatusView: ...

    async def tickets_of(self, identity: ChatIdentity, *, limit: int = 5) -> list[StatusView]: ...

    # handoff
    async def request_handoff(
        self,
        *,
        identity: ChatIdentity,
        reason: str | None,
        transcript: list[dict[str, str]],
    ) -> HandoffReceipt: ...

    # information (knowledge base, in memory)
    def requirement(self, document_type: str) -> Requirement: ...

    def offices(self, kabupaten_kota: str, *, kind: str | None = None) -> OfficeListing: ...

    def office_hours(self) -> OfficeSchedule: ...

    def emergency_numbers(self, kabupaten_kota: str | None) -> EmergencyNumbers: ...

    # public data (outside systems)
    async def vehicle_tax(self, plate: str) -> VehicleTax: ...

    async def social_aid(self, nik: str) -> SocialAidStatus: ...

    async def food_prices(self, commodity: str, kabupaten_kota: str | None = None) -> FoodPrice: ...

    # rating a ticket's handling after selesai
    async def pending_rating(self, identity: ChatIdentity) -> PendingRating | None: ...

    async def rate_ticket(self, number: str, score: int, *, identity: ChatIdentity) -> None: ...

    async def explain_rating(self, number: str, reason: str, *, identity: ChatIdentity) -> None: ...


class PublicDataSources(Protocol):
    """The outside systems :class:`bot.services.public_data.PublicData` asks."""

    @property
    def vehicle_tax(self) -> VehicleTaxProvider: ...

    @property
    def social_aid(self) -> SocialAidProvider: ...

    @property
    def food_prices(self) -> FoodPriceProvider: ...
