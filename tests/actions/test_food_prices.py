"""Food prices: province-wide without a place, the region when given."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.food_prices import ActionFoodPrice, ValidateFoodPriceForm
from tests.auxil.actions import message, responses, slot_events


async def test_without_a_place_the_price_is_province_wide(
    make_tracker, domain, dispatcher, fake_services
):
    await ActionFoodPrice().run(dispatcher, make_tracker(slots={"commodity": "beras"}), domain)
    answer = message(dispatcher, "utter_food_price")
    assert answer["price"] == "Rp14.500"
    assert answer["place"] == "Provinsi Lampung (rata-rata)"
    assert "utter_demo_data" in responses(dispatcher)
    assert fake_services.upstream.food_prices.calls == [("beras", None)]


async def test_the_place_in_the_question_is_used(make_tracker, domain, fake_services):
    tracker = make_tracker(
        "harga beras di metro",
        intent="ask_food_price",
        entities={"commodity": "beras", "kabupaten_kota": "Metro"},
    )
    events = await ValidateFoodPriceForm().run(CollectingDispatcher(), tracker, domain)
    slots = slot_events(events)
    assert slots["commodity"] == "beras" and slots["kabupaten_kota"] == "Metro"
    assert slots["requested_slot"] is None
