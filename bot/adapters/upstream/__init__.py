"""Adapters for outside systems: vehicle tax, social aid, food prices.

Each service has an aiohttp client for the upstream described in
docs/adapters.md and a demo provider whose answers are all ``is_demo=True``;
both implement the service's Protocol in :mod:`bot.domain.public_data`, whose
results and errors (:mod:`bot.domain.errors`) they return and raise.
:func:`build_providers` picks the client when the upstream's URL is
configured, the demo otherwise. Nothing here opens a connection before the
first lookup.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.adapters.upstream.food_prices import DemoFoodPrices, HttpFoodPrices
from bot.adapters.upstream.http import DEFAULT_TIMEOUT, HttpClientConfig
from bot.adapters.upstream.social_aid import DemoSocialAid, HttpSocialAid
from bot.adapters.upstream.vehicle_tax import DemoVehicleTax, HttpVehicleTax, canonical_plate
from bot.domain.errors import with_message
from bot.domain.public_data import FoodPriceProvider, SocialAidProvider, VehicleTaxProvider

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "AdapterConfigError",
    "DemoFoodPrices",
    "DemoSocialAid",
    "DemoVehicleTax",
    "FoodPriceProvider",
    "HttpClientConfig",
    "HttpFoodPrices",
    "HttpSocialAid",
    "HttpVehicleTax",
    "Providers",
    "SocialAidProvider",
    "VehicleTaxProvider",
    "build_providers",
    "canonical_plate",
]

logger = logging.getLogger(__name__)

# Variable prefixes: {PREFIX}_API_URL, {PREFIX}_API_KEY, {PREFIX}_API_TIMEOUT (seconds).
TAX_PREFIX = "TAX"
SOCIAL_AID_PREFIX = "SOCIAL_AID"
FOOD_PRICE_PREFIX = "FOOD_PRICE"


@with_message("{variable}: {problem}")
class AdapterConfigError(ValueError):
    variable: str
    problem: str


@dataclass
class Providers:
    vehicle_tax: VehicleTaxProvider
    social_aid: SocialAidProvider
    food_prices: FoodPriceProvider

    @property
    def demo_services(self) -> list[str]:
        """Names of the services answered by demo data (for start-up logs and /status)."""
        demos = {
            "vehicle_tax": isinstance(self.vehicle_tax, DemoVehicleTax),
            "social_aid": isinstance(self.social_aid, DemoSocialAid),
            "food_prices": isinstance(self.food_prices, DemoFoodPrices),
        }
        return [name for name, is_demo in demos.items() if is_demo]

    async def aclose(self) -> None:
        """Close every client's HTTP session; one failing close does not skip the others."""
        errors: list[BaseException] = []
        for provider in (self.vehicle_tax, self.social_aid, self.food_prices):
            try:
                await provider.aclose()
            except Exception as exc:
                logger.exception("closing %s failed", type(provider).__name__)
                errors.append(exc)
        if errors:
            raise errors[0]


def _lookup(settings: Settings, key: str) -> str | None:
    value = settings.extra.get(key)
    if value is None:
        value = getattr(settings, key.lower(), None)
    value = (value or "").strip()
    return value or None


def http_config(prefix: str, settings: Settings) -> HttpClientConfig | None:
    """The client configuration for one upstream, or None when its URL is not set."""
    url = _lookup(settings, f"{prefix}_API_URL")
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise AdapterConfigError(f"{prefix}_API_URL", "must start with https:// or http://")
    timeout = DEFAULT_TIMEOUT
    raw_timeout = _lookup(settings, f"{prefix}_API_TIMEOUT")
    if raw_timeout is not None:
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise AdapterConfigError(f"{prefix}_API_TIMEOUT", "must be seconds") from None
        if timeout <= 0:
            raise AdapterConfigError(f"{prefix}_API_TIMEOUT", "must be positive")
    return HttpClientConfig(
        base_url=url, api_key=_lookup(settings, f"{prefix}_API_KEY"), timeout=timeout
    )


def build_providers(settings: Settings) -> Providers:
    """Real clients for the upstreams whose ``*_API_URL`` is set, demo providers for the rest.

    Values are read from ``settings.extra`` first, then the settings' fields
    (``TAX_API_URL`` is ``settings.tax_api_url``). No session or connection is opened here.
    """
    tax = http_config(TAX_PREFIX, settings)
    aid = http_config(SOCIAL_AID_PREFIX, settings)
    food = http_config(FOOD_PRICE_PREFIX, settings)
    providers = Providers(
        vehicle_tax=HttpVehicleTax(tax) if tax else DemoVehicleTax(),
        social_aid=HttpSocialAid(aid) if aid else DemoSocialAid(),
        food_prices=HttpFoodPrices(food) if food else DemoFoodPrices(),
    )
    if providers.demo_services:
        logger.warning("demo data (data contoh) for: %s", ", ".join(providers.demo_services))
    return providers
