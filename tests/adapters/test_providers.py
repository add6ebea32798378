"""build_providers: demo without configuration, real clients when URLs are set."""

from __future__ import annotations

import pytest

from bot.adapters.upstream import (
    AdapterConfigError,
    DemoFoodPrices,
    DemoSocialAid,
    DemoVehicleTax,
    HttpFoodPrices,
    HttpSocialAid,
    HttpVehicleTax,
    build_providers,
)
from bot.config import Settings


async def test_demo_providers_without_configuration():
    providers = build_providers(Settings.from_env({}))
    assert isinstance(providers.vehicle_tax, DemoVehicleTax)
    assert isinstance(providers.social_aid, DemoSocialAid)
    assert isinstance(providers.food_prices, DemoFoodPrices)
    assert providers.demo_services == ["vehicle_tax", "social_aid", "food_prices"]
    answer = await providers.vehicle_tax.lookup("BE 1234 AB")
    assert answer.is_demo
    await providers.aclose()


async def test_real_clients_when_urls_are_set(base_url, upstreams):
    upstreams.api_key = "k3y"
    env = {
        "TAX_API_URL": base_url,
        "TAX_API_KEY": "k3y",
        "SOCIAL_AID_API_URL": base_url + "/",
        "SOCIAL_AID_API_KEY": "k3y",
        "FOOD_PRICE_API_URL": base_url,
        "FOOD_PRICE_API_KEY": "k3y",
        "FOOD_PRICE_API_TIMEOUT": "2.5",
    }
    providers = build_providers(Settings.from_env(env))
    try:
        assert isinstance(providers.vehicle_tax, HttpVehicleTax)
        assert isinstance(providers.social_aid, HttpSocialAid)
        assert isinstance(providers.food_prices, HttpFoodPrices)
        assert providers.demo_services == []
        assert providers.food_prices.client.config.timeout == 2.5
        assert (await providers.vehicle_tax.lookup("BE 1234 AB")).is_demo is False
        assert (await providers.social_aid.lookup("1871015505900001")).registered
        assert (await providers.food_prices.lookup("beras", None)).price == 14_000
    finally:
        await providers.aclose()
    assert providers.vehicle_tax.client._session is None


def test_settings_extra_is_read_before_the_fields():
    settings = Settings.from_env({})
    settings.extra["TAX_API_URL"] = "https://pajak.example.test"
    providers = build_providers(settings)
    assert isinstance(providers.vehicle_tax, HttpVehicleTax)
    assert isinstance(providers.food_prices, DemoFoodPrices)


@pytest.mark.parametrize(
    "env",
    [
        {"TAX_API_URL": "pajak.example.test"},
        {"TAX_API_URL": "https://x.test", "TAX_API_TIMEOUT": "lama"},
    ],
)
def test_bad_configuration_names_the_variable(env):
    with pytest.raises(AdapterConfigError) as caught:
        build_providers(Settings.from_env(env))
    assert caught.value.variable.startswith("TAX_API_")
