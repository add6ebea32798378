"""Public data from outside systems: vehicle tax, social aid, food prices.

The sources are the adapters in :mod:`bot.adapters.upstream` (a real HTTP
client when configured, demo data otherwise). Their errors reach the caller
unchanged: UpstreamError and its kinds, PlateNotFound, CommodityNotFound.
"""

from __future__ import annotations

from bot.domain.nik import validate_nik
from bot.domain.public_data import FoodPrice, SocialAidStatus, VehicleTax
from bot.services.ports import PublicDataSources
from bot.services.shared import configured


class PublicData:
    def __init__(self, sources: PublicDataSources | None) -> None:
        self._sources = sources

    def _get(self) -> PublicDataSources:
        return configured("providers", self._sources)

    async def vehicle_tax(self, plate: str) -> VehicleTax:
        """PKB of a vehicle by its plate (``BE 1234 AB``)."""
        return await self._get().vehicle_tax.lookup(plate)

    async def social_aid(self, nik: str) -> SocialAidStatus:
        """Social aid status for a NIK; the NIK is validated first (InvalidNik)."""
        return await self._get().social_aid.lookup(validate_nik(nik))

    async def food_prices(self, commodity: str, kabupaten_kota: str | None = None) -> FoodPrice:
        """Today's price of a commodity (province-wide when no kabupaten/kota is given)."""
        return await self._get().food_prices.lookup(commodity, kabupaten_kota)
