"""Food prices: the HTTP client against the fake upstream, and the demo provider."""

from __future__ import annotations

from datetime import date

import pytest

from bot.adapters.upstream.food_prices import DEMO_BASE_PRICES, DemoFoodPrices, HttpFoodPrices
from bot.domain import vocabulary
from bot.domain.errors import CommodityNotFound, UpstreamBadResponse
from bot.domain.public_data import FoodPriceProvider
from tests.auxil.fake_upstreams import FOOD_PRICES_PATH, wrong_schema


@pytest.fixture
def prices(http_provider) -> HttpFoodPrices:
    return http_provider(HttpFoodPrices, "food_prices")


async def test_regional_price(prices, upstreams):
    answer = await prices.lookup("beras", "Metro")
    assert (answer.kabupaten_kota, answer.price, answer.unit) == ("Metro", 13_750, "kg")
    assert answer.date == date(2026, 11, 27)
    assert answer.is_demo is False
    assert upstreams.requests[-1].query == {"commodity": "beras", "kabupaten_kota": "Metro"}


async def test_region_without_data_falls_back_to_province(prices):
    answer = await prices.lookup("beras", "Mesuji")
    assert answer.kabupaten_kota is None
    assert answer.price == 14_000
    assert answer.source == "Dinas Ketahanan Pangan (uji)"


async def test_province_wide_when_no_region_is_asked(prices, upstreams):
    answer = await prices.lookup("beras", None)
    assert answer.kabupaten_kota is None
    assert upstreams.requests[-1].query == {"commodity": "beras"}


async def test_commodity_without_data_is_not_found(prices):
    with pytest.raises(CommodityNotFound) as caught:
        await prices.lookup("kopi", "Lampung Barat")
    assert (caught.value.commodity, caught.value.kabupaten_kota) == ("kopi", "Lampung Barat")


async def test_unknown_commodity_is_refused_before_any_request(prices, upstreams):
    with pytest.raises(CommodityNotFound):
        await prices.lookup("durian", None)
    assert upstreams.count(FOOD_PRICES_PATH) == 0


async def test_answer_for_another_region_is_a_bad_response(prices, upstreams):
    upstreams.fail_next(
        wrong_schema(
            {
                "commodity": "beras",
                "kabupaten_kota": "Metro",
                "price": 1,
                "unit": "kg",
                "date": "2026-11-27",
            }
        )
    )
    with pytest.raises(UpstreamBadResponse):
        await prices.lookup("beras", "Pringsewu")


async def test_demo_covers_every_commodity_everywhere_and_is_labelled():
    demo = DemoFoodPrices(today=lambda: date(2026, 11, 28))
    assert isinstance(demo, FoodPriceProvider)
    commodities = vocabulary.values("commodity")
    assert set(DEMO_BASE_PRICES) == set(commodities)
    for commodity in commodities:
        province = await demo.lookup(commodity, None)
        assert province.is_demo and province.source == "demo"
        assert province.kabupaten_kota is None
        assert province.unit == vocabulary.vocabularies()["commodity"][commodity]["unit"]
        regional = [await demo.lookup(commodity, r) for r in vocabulary.region_names()]
        base = DEMO_BASE_PRICES[commodity]
        assert all(0.9 * base <= p.price <= 1.1 * base for p in regional)
        assert len({p.price for p in regional}) > 3  # prices differ between kabupaten


async def test_demo_is_deterministic_per_day():
    monday = DemoFoodPrices(today=lambda: date(2026, 11, 30))
    first = await monday.lookup("cabai", "Tanggamus")
    assert first == await monday.lookup("cabai", "Tanggamus")
    assert first.kabupaten_kota == "Tanggamus"


async def test_demo_unknown_region_is_province_wide():
    answer = await DemoFoodPrices().lookup("telur", "Jakarta")
    assert answer.kabupaten_kota is None
