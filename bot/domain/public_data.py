"""Answers from outside public-data systems: vehicle tax, social aid, food prices.

Plain frozen results the adapters in :mod:`bot.adapters.upstream` build and
the services hand to actions. Money is whole rupiah (``int``), never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["FoodPrice", "SocialAidStatus", "VehicleTax"]


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
