"""Food commodity prices, per kabupaten/kota or province-wide.

Commodities are the canonical values of ``commodity`` in
``bot/data/vocabulary.yml`` (labels and units come from there too).
Upstream contract: docs/adapters.md, "food_prices".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from bot.adapters.upstream.http import HttpAdapter, JsonReply
from bot.adapters.upstream.schema import FoodPricePayload, error_code, parse_payload
from bot.domain import vocabulary
from bot.domain.errors import CommodityNotFound, UpstreamBadResponse
from bot.domain.public_data import FoodPrice

SERVICE = "food_prices"
DEMO_SOURCE = "demo"


def canonical_commodity(commodity: str) -> str:
    if commodity in vocabulary.values("commodity"):
        return commodity
    found = vocabulary.canonical_value("commodity", commodity)
    if found is None:
        raise CommodityNotFound(commodity)
    return found


def _region_or_none(kabupaten_kota: str | None) -> str | None:
    if kabupaten_kota is None:
        return None
    if kabupaten_kota in vocabulary.region_names():
        return kabupaten_kota
    return vocabulary.canonical_region(kabupaten_kota)


class HttpFoodPrices(HttpAdapter):
    """Client: ``GET {base}/v1/food-prices?commodity=beras&kabupaten_kota=Metro``."""

    service = SERVICE
    PATH = "/v1/food-prices"

    async def lookup(self, commodity: str, kabupaten_kota: str | None) -> FoodPrice:
        canonical = canonical_commodity(commodity)
        region = _region_or_none(kabupaten_kota)
        params = {"commodity": canonical}
        if region is not None:
            params["kabupaten_kota"] = region

        def parse(reply: JsonReply) -> FoodPrice:
            if reply.status == 404:
                if error_code(reply.body) == "commodity_not_found":
                    raise CommodityNotFound(canonical, region)
                raise UpstreamBadResponse(
                    SERVICE, "HTTP 404 without commodity_not_found", status=404
                )
            body = parse_payload(SERVICE, FoodPricePayload, reply.body)
            if body.commodity != canonical:
                raise UpstreamBadResponse(SERVICE, "answer is for a different commodity")
            if body.kabupaten_kota is not None and body.kabupaten_kota != region:
                raise UpstreamBadResponse(SERVICE, "answer is for a different kabupaten/kota")
            return FoodPrice(
                commodity=canonical,
                label=body.label or vocabulary.label("commodity", canonical),
                kabupaten_kota=body.kabupaten_kota,
                price=body.price,
                unit=body.unit,
                date=body.day,
                source=body.source or self._default_source,
                is_demo=False,
            )

        return await self._client.request("GET", self.PATH, parse, params=params, accept=(404,))


# Plausible Lampung retail levels for 2026, rupiah per vocabulary unit (demo only).
DEMO_BASE_PRICES: dict[str, int] = {
    "beras": 14_000,  # medium
    "jagung": 6_500,  # pipilan kering
    "pisang": 22_000,  # per sisir
    "ayam": 36_000,
    "telur": 28_500,
    "cabai": 45_000,  # merah keriting; the most volatile line
    "bawang_merah": 40_000,
    "bawang_putih": 38_000,
    "minyak_goreng": 18_000,  # per liter
    "gula": 18_000,
    "daging_sapi": 135_000,
    "singkong": 4_000,  # retail; farm-gate prices for tapioca mills are far lower
    "kopi": 65_000,  # robusta green beans
}
_REGION_SPREAD_PERMILLE = 60  # a kabupaten is up to ±6% from the provincial level
_DAILY_SPREAD_PERMILLE = 20  # and moves up to ±2% from day to day


def _offset(permille: int, *parts: str) -> int:
    seed = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")
    return seed % (2 * permille + 1) - permille


def _round_price(value: int) -> int:
    step = 250 if value >= 10_000 else 50
    return max(step, (value + step // 2) // step * step)


class DemoFoodPrices:
    """Sample prices for all commodities, varying by kabupaten/kota and by day; ``is_demo``."""

    def __init__(self, *, today: Callable[[], date] = date.today) -> None:
        self._today = today

    async def lookup(self, commodity: str, kabupaten_kota: str | None) -> FoodPrice:
        canonical = canonical_commodity(commodity)
        # An unknown region gets the provincial figure, as the real upstream does.
        region = _region_or_none(kabupaten_kota)
        today = self._today()
        permille = 1000 + _offset(
            _DAILY_SPREAD_PERMILLE, canonical, region or "", today.isoformat()
        )
        if region is not None:
            permille += _offset(_REGION_SPREAD_PERMILLE, canonical, region)
        price = _round_price(DEMO_BASE_PRICES[canonical] * permille // 1000)
        entry = vocabulary.vocabularies()["commodity"][canonical]
        return FoodPrice(
            commodity=canonical,
            label=str(entry.get("label", canonical)),
            kabupaten_kota=region,
            price=price,
            unit=str(entry.get("unit", "kg")),
            date=today,
            source=DEMO_SOURCE,
            is_demo=True,
        )

    async def aclose(self) -> None:
        return None
