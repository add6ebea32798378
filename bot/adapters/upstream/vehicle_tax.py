"""Annual motor-vehicle tax (PKB) lookup by number plate.

Upstream contract: docs/adapters.md, "vehicle_tax".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.adapters.upstream.http import HttpAdapter, JsonReply
from bot.adapters.upstream.schema import VehicleTaxPayload, error_code, parse_payload
from bot.domain.errors import InvalidQuery, PlateNotFound, UpstreamBadResponse
from bot.domain.public_data import VehicleTax

SERVICE = "vehicle_tax"
LAMPUNG_PLATE_REGION = "BE"
DEMO_SOURCE = "demo"

_LOOSE_PLATE = re.compile(r"^\s*([A-Za-z]{1,2})[\s\-]*([1-9]\d{0,3})[\s\-]*([A-Za-z]{1,3})\s*$")


def canonical_plate(text: str) -> str:
    """``BE 1234 AB`` from what a caller passed (``be1234ab``, ``BE-1234-AB``...).

    The NLU pipeline already gives this form; this guards the adapter boundary.
    """
    match = _LOOSE_PLATE.match(text or "")
    if not match:
        raise InvalidQuery("plate", "expected a number plate like 'BE 1234 AB'")
    return " ".join(part.upper() for part in match.groups())


class HttpVehicleTax(HttpAdapter):
    """Client of the tax upstream: ``GET {base}/v1/vehicle-tax?plate=BE%201234%20AB``."""

    service = SERVICE
    PATH = "/v1/vehicle-tax"

    async def lookup(self, plate: str) -> VehicleTax:
        canonical = canonical_plate(plate)

        def parse(reply: JsonReply) -> VehicleTax:
            if reply.status == 404:
                if error_code(reply.body) == "plate_not_found":
                    raise PlateNotFound(canonical)
                # A 404 without our error body means a wrong base URL or path, not a plate.
                raise UpstreamBadResponse(SERVICE, "HTTP 404 without plate_not_found", status=404)
            body = parse_payload(SERVICE, VehicleTaxPayload, reply.body)
            if body.total < body.amount + body.fine:
                raise UpstreamBadResponse(SERVICE, "total is less than amount + fine")
            if body.plate is not None and " ".join(body.plate.upper().split()) != canonical:
                raise UpstreamBadResponse(SERVICE, "answer is for a different plate")
            return VehicleTax(
                plate=canonical,
                vehicle=body.vehicle,
                amount=body.amount,
                due_date=body.due_date,
                fine=body.fine,
                total=body.total,
                is_demo=False,
                source=body.source or self._default_source,
            )

        return await self._client.request(
            "GET", self.PATH, parse, params={"plate": canonical}, accept=(404,)
        )


# --- demo -----------------------------------------------------------------

# Approximation for demonstration only, not Lampung's legal formula: 2% of the
# principal per started month late, at most 24 months. The rules in force
# (UU 1/2022 HKPD and the provincial Perda) are Bapenda's to apply.
DEMO_FINE_RATE_PER_MONTH = Decimal("0.02")
DEMO_FINE_CAP_MONTHS = 24

# (vehicle, lowest PKB, highest PKB) in rupiah; motorcycles are most of Lampung's fleet.
_DEMO_VEHICLES: tuple[tuple[str, int, int], ...] = (
    ("Honda Beat", 150_000, 260_000),
    ("Honda Vario 125", 210_000, 330_000),
    ("Yamaha NMAX 155", 300_000, 450_000),
    ("Honda Scoopy", 200_000, 300_000),
    ("Honda Supra X 125", 160_000, 250_000),
    ("Yamaha Mio M3", 150_000, 230_000),
    ("Honda PCX 160", 330_000, 480_000),
    ("Toyota Avanza 1.3 G", 2_100_000, 3_300_000),
    ("Daihatsu Xenia 1.3 R", 2_000_000, 3_100_000),
    ("Mitsubishi Xpander Ultimate", 3_200_000, 4_600_000),
    ("Honda Brio Satya E", 1_600_000, 2_400_000),
    ("Mitsubishi L300 Pick Up", 1_700_000, 2_600_000),
)


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def months_late(due: date, today: date) -> int:
    """Started months since ``due`` (0 when not yet due); a day late is a month late."""
    if today <= due:
        return 0
    months = (today.year - due.year) * 12 + (today.month - due.month)
    if today.day > due.day:
        months += 1
    return max(months, 1)


def demo_fine(amount: int, due: date, today: date) -> int:
    months = min(months_late(due, today), DEMO_FINE_CAP_MONTHS)
    fine = Decimal(amount) * DEMO_FINE_RATE_PER_MONTH * months
    return int(fine.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _anniversary(year: int, month: int, day: int) -> date:
    # 29 February plates fall due on 28 February in other years.
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, 28)


class DemoVehicleTax:
    """Sample answers, the same for the same plate on the same day; every one ``is_demo``.

    Plates outside Lampung (not ``BE``) are "not found", as the provincial
    system would answer.
    """

    def __init__(self, *, today: Callable[[], date] = date.today) -> None:
        self._today = today

    async def lookup(self, plate: str) -> VehicleTax:
        canonical = canonical_plate(plate)
        if canonical.split(" ")[0] != LAMPUNG_PLATE_REGION:
            raise PlateNotFound(canonical)
        today = self._today()
        seed = _digest("vehicle", canonical)
        vehicle, low, high = _DEMO_VEHICLES[seed % len(_DEMO_VEHICLES)]
        year = 2012 + (seed >> 8) % 13
        amount = low + ((seed >> 16) % ((high - low) // 100 + 1)) * 100
        due = _anniversary(today.year, 1 + (seed >> 24) % 12, 1 + (seed >> 32) % 28)
        # Keep the due date within about half a year either side of today...
        if due > today + timedelta(days=183):
            due = _anniversary(due.year - 1, due.month, due.day)
        elif due < today - timedelta(days=183):
            due = _anniversary(due.year + 1, due.month, due.day)
        # ...except for some plates a year further in arrears, to show a bigger fine.
        if (seed >> 40) % 7 == 0:
            due = _anniversary(due.year - 1, due.month, due.day)
        fine = demo_fine(amount, due, today)
        return VehicleTax(
            plate=canonical,
            vehicle=f"{vehicle} ({year})",
            amount=amount,
            due_date=due,
            fine=fine,
            total=amount + fine,
            is_demo=True,
            source=DEMO_SOURCE,
        )

    async def aclose(self) -> None:
        return None
