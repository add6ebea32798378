"""Emergency: 112 is the first thing said; local numbers follow when the place is known."""

from __future__ import annotations

from actions.emergency import ActionEmergency
from bot.services.information import Information
from tests.auxil.actions import responses


async def test_112_comes_first(make_tracker, domain, dispatcher, fake_services):
    await ActionEmergency().run(dispatcher, make_tracker("tolong ada kebakaran"), domain)
    said = responses(dispatcher)
    assert said[0] == "utter_emergency_112"
    assert "112" in domain["responses"]["utter_emergency_112"][0]["text"]
    assert said[-1] == "utter_emergency_after"


async def test_112_even_when_the_knowledge_base_is_missing(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.information = Information(None)
    await ActionEmergency().run(dispatcher, make_tracker("darurat"), domain)
    assert responses(dispatcher) == ["utter_emergency_112", "utter_emergency_after"]


async def test_the_region_in_the_message_adds_its_numbers(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker("banjir besar di metro", entities={"kabupaten_kota": "Metro"})
    await ActionEmergency().run(dispatcher, tracker, domain)
    said = responses(dispatcher)
    assert said[0] == "utter_emergency_112"
    assert "utter_emergency_national" in said
