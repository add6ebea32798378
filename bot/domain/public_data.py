"""Outside public-data systems: vehicle tax, social aid, food prices.

The Protocols say what a provider offers (the HTTP clients and the demo data in
:mod:`bot.adapters.upstream` implement them); the frozen results are what the
services hand to actions. Money is whole rupiah (``int``), never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

__all__ = [
    "FoodPrice",
    "FoodPriceProvider",
    "SocialAidProvider",
    "SocialAidStatus",
    "VehicleTax",
    "VehicleTaxProvider",
]


@dataclass(frozen=True)
class VehicleTax:
    plate: str
    vehicle: str  # make, model and year as the upstream describes it
    amount: int  # PKB principal, rupiah
    due_date: date
    fine: int  # late-payment sanction, rupiah
    total: int  # what to pay now, rupiah (amount + fine + other fees the upstream includes)
    is_demo: bool
    source: str

    @property
    def overdue(self) -> bool:
        return self.fine > 0


@dataclass(frozen=True)
class SocialAidStatus:
    registered: bool
    programmes: tuple[str, ...]
    is_demo: bool
    checked_at: datetime  # timezone-aware (UTC)
    source: str


@dataclass(frozen=True)
class FoodPrice:
    commodity: str
    label: str
    kabupaten_kota: str | None  # None: a province-wide figure
    price: int  # rupiah per unit
    unit: str
    date: date
    source: str
    is_demo: bool


@runtime_checkable
class VehicleTaxProvider(Protocol):
    async def lookup(self, plate: str) -> VehicleTax:
        """Tax due for a plate; raises PlateNotFound, InvalidQuery or UpstreamError."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class SocialAidProvider(Protocol):
    async def lookup(self, nik: str) -> SocialAidStatus:
        """Registered-or-not for a 16-digit NIK; raises InvalidQuery or UpstreamError."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class FoodPriceProvider(Protocol):
    async def lookup(self, commodity: str, kabupaten_kota: str | None) -> FoodPrice:
        """Latest price; raises CommodityNotFound or UpstreamError.

        When the region has no figure of its own the answer is province-wide
        (``kabupaten_kota`` None), so callers must say which one they show.
        """
        ...

    async def aclose(self) -> None: ...
