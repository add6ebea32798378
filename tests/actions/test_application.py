"""application_form: NIK corrections, phone and name checks, the masked summary, filing."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application import (
    ActionAskApplicationConfirmed,
    ActionSubmitApplication,
    ValidateApplicationForm,
)
from tests.auxil.actions import message, responses, slot_events

NIK = "1803054107900001"  # Lampung Selatan, a woman born 1 July 1990
FILLED = {
    "document_type": "kk",
    "nik": NIK,
    "full_name": "Siti Aminah",
    "kabupaten_kota": "Lampung Selatan",
    "phone_number": "081234567890",
    "draft_id": "draft-2",
}


async def validate(tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationForm().run(dispatcher, tracker, domain)
    return slot_events(events), dispatcher


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("18030541079000", "utter_invalid_nik_length"),
        ("1803 0541 0790 00a1", "utter_invalid_nik_not_digits"),
        ("1899054107900001", "utter_invalid_nik_region"),
        ("1803059907900001", "utter_invalid_nik_birth_date"),
        ("1803054107900000", "utter_invalid_nik_serial"),
    ],
)
async def test_a_wrong_nik_gets_a_specific_correction(make_tracker, domain, typed, response):
    tracker = make_tracker(typed, requested_slot="nik", slots={"document_type": "kk"})
    slots, dispatcher = await validate(tracker, domain)
    assert slots["nik"] is None
    assert responses(dispatcher) == [response]


async def test_the_length_correction_says_how_many_digits_were_typed(make_tracker, domain):
    tracker = make_tracker("18030541079000", requested_slot="nik", slots={"document_type": "kk"})
    _, dispatcher = await validate(tracker, domain)
    assert message(dispatcher, "utter_invalid_nik_length")["digit_count"] == 14


async def test_a_nik_with_spaces_is_accepted(make_tracker, domain):
    tracker = make_tracker(
        "1803 0541 0790 0001", requested_slot="nik", slots={"document_type": "kk"}
    )
    slots, _ = await validate(tracker, domain)
    assert slots["nik"] == NIK
    assert slots["requested_slot"] == "full_name"


async def test_a_typed_number_picks_the_document(make_tracker, domain):
    tracker = make_tracker("2", intent="file_complaint", requested_slot="document_type")
    slots, _ = await validate(tracker, domain)
    assert slots["document_type"] == "kk"


async def test_phone_numbers_are_read_in_national_form(make_tracker, domain):
    base = {**FILLED, "phone_number": None}
    tracker = make_tracker("+62 812-3456-7890", requested_slot="phone_number", slots=base)
    slots, _ = await validate(tracker, domain)
    assert slots["phone_number"] == "081234567890"
    bad = make_tracker("12345", requested_slot="phone_number", slots=base)
    slots, dispatcher = await validate(bad, domain)
    assert slots["phone_number"] is None
    assert responses(dispatcher) == ["utter_invalid_phone_number"]


async def test_names_with_digits_are_refused(make_tracker, domain):
    base = {**FILLED, "full_name": None}
    slots, dispatcher = await validate(
        make_tracker("s1t1 am1nah", requested_slot="full_name", slots=base), domain
    )
    assert slots["full_name"] is None
    assert responses(dispatcher) == ["utter_invalid_full_name"]
    slots, _ = await validate(
        make_tracker("SITI AMINAH", requested_slot="full_name", slots=base), domain
    )
    assert slots["full_name"] == "Siti Aminah"


async def test_the_summary_masks_the_nik(make_tracker, domain, dispatcher):
    await ActionAskApplicationConfirmed().run(dispatcher, make_tracker(slots=FILLED), domain)
    summary = message(dispatcher, "utter_application_summary")
    assert summary["nik_masked"] == "1803********0001"
    assert NIK not in str(dispatcher.messages)
    assert summary["document"] == "Kartu Keluarga (KK)"


async def test_a_confirmed_application_gets_a_ticket_the_checklist_and_the_office(
    answer_summary, dispatcher, fake_services
):
    events = await answer_summary(ActionSubmitApplication(), FILLED, application_confirmed="ya")
    number, draft, _, key = fake_services.filed[0]
    assert number.startswith("MHN-") and key == "draft-2"
    assert draft.nik == NIK and draft.document_type == "kk"
    said = responses(dispatcher)
    assert said[0] == "utter_application_filed"
    assert "utter_requirements" in said
    office = next(m for m in dispatcher.messages if m["response"].startswith("utter_office_info"))
    assert said.index("utter_application_where") < said.index(office["response"])
    assert "Disdukcapil" in office["office_name"] or "Kependudukan" in office["office_name"]
    assert "08.00" in office["hours"]
    assert said[-1] == "utter_how_to_check"
    assert slot_events(events)["nik"] is None


async def test_batal_in_the_summary_files_nothing(answer_summary, dispatcher, fake_services):
    await answer_summary(ActionSubmitApplication(), FILLED, application_confirmed="tidak")
    assert fake_services.filed == []
    assert responses(dispatcher) == ["utter_cancelled"]
