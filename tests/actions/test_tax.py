"""Vehicle tax: plate checks, rupiah amounts, the demo label, not found, upstream down."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.tax import ActionCheckTax, ValidateTaxForm
from bot.domain.errors import PlateNotFound, UpstreamUnavailable
from tests.auxil.actions import Raises, message, responses, slot_events


async def test_the_tax_is_answered_in_rupiah_with_the_demo_label(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker(slots={"plate_number": "BE 1234 AB"})
    events = await ActionCheckTax().run(dispatcher, tracker, domain)
    answer = message(dispatcher, "utter_tax_result")
    assert answer["amount"] == "Rp1.234.500"
    assert answer["due_date"] == "05/01/2027"
    assert "utter_demo_data" in responses(dispatcher)
    assert slot_events(events)["plate_number"] is None


async def test_unknown_plate_and_upstream_down(make_tracker, domain, fake_services):
    tracker = make_tracker(slots={"plate_number": "BE 9999 ZZ"})
    fake_services.upstream.vehicle_tax.answer = Raises(PlateNotFound("BE 9999 ZZ"))
    dispatcher = CollectingDispatcher()
    await ActionCheckTax().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_plate_not_found"]

    fake_services.upstream.vehicle_tax.answer = Raises(UpstreamUnavailable("tax", "timeout"))
    dispatcher = CollectingDispatcher()
    await ActionCheckTax().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_upstream_down_tax"]


async def test_plates_are_normalised_and_must_be_lampung(make_tracker, domain):
    form = ValidateTaxForm()
    tracker = make_tracker("be1234ab", requested_slot="plate_number")
    events = await form.run(CollectingDispatcher(), tracker, domain)
    assert slot_events(events)["plate_number"] == "BE 1234 AB"

    dispatcher = CollectingDispatcher()
    events = await form.run(
        dispatcher, make_tracker("B 1234 XYZ", requested_slot="plate_number"), domain
    )
    assert slot_events(events)["plate_number"] is None
    assert responses(dispatcher) == ["utter_plate_not_lampung"]
    # Told where its tax is paid: its own province's Samsat.
    assert message(dispatcher, "utter_plate_not_lampung")["province"].startswith("DKI Jakarta")


async def test_a_plate_inside_a_sentence_is_read(make_tracker, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("plat motor sy AB 123 CD", requested_slot="plate_number")
    events = await ValidateTaxForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["plate_number"] is None
    assert message(dispatcher, "utter_plate_not_lampung")["province"] == "DI Yogyakarta"
    ours = make_tracker("plat sy be 1234 ab pak", requested_slot="plate_number")
    events = await ValidateTaxForm().run(CollectingDispatcher(), ours, domain)
    assert slot_events(events)["plate_number"] == "BE 1234 AB"
