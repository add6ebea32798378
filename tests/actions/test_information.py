"""Requirements and office information, asked alone or in the middle of another form."""

from __future__ import annotations

from actions.information import ActionOfficeInfo, ActionRequirements
from tests.auxil.actions import message, responses, slot_events


async def test_kk_requirements_are_listed(make_tracker, domain, dispatcher, fake_services):
    tracker = make_tracker("syarat kk", intent="ask_requirements", slots={"document_type": "kk"})
    events = await ActionRequirements().run(dispatcher, tracker, domain)
    answer = message(dispatcher, "utter_requirements")
    assert answer["label"] == "Kartu Keluarga (KK)"
    assert answer["items"].startswith("• ")
    assert "Gratis" in answer["fee"]
    assert slot_events(events)["document_type"] is None


async def test_in_another_form_the_slot_is_kept(make_tracker, domain, dispatcher, fake_services):
    tracker = make_tracker(
        "syarat ktp apa",
        intent="ask_requirements",
        entities={"document_type": "ktp"},
        slots={"document_type": "kk"},
        active_loop="application_form",
    )
    events = await ActionRequirements().run(dispatcher, tracker, domain)
    assert message(dispatcher, "utter_requirements")["label"] == "KTP-el"
    assert events == []


async def test_without_a_document_the_list_is_offered_as_buttons(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker("syaratnya apa", intent="ask_requirements", active_loop="complaint_form")
    await ActionRequirements().run(dispatcher, tracker, domain)
    offer = message(dispatcher, "utter_ask_document_type")
    assert offer["buttons"][1]["payload"] == '/ask_requirements{"document_type":"kk"}'
    assert offer["options"].splitlines()[0] == "1. KTP-el"


async def test_office_hours_have_times(make_tracker, domain, dispatcher, fake_services):
    tracker = make_tracker("jam buka disdukcapil metro", slots={"kabupaten_kota": "Metro"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_office_intro"
    offices = [m for m in dispatcher.messages if m["response"].startswith("utter_office_info")]
    assert len(offices) >= 2
    assert all("WIB" in office["hours"] or "." in office["hours"] for office in offices)
    # The hours are offices.yml's, the one place they are written.
    assert "Senin–Kamis: 08.00–15.00 WIB\nJumat: 08.00–11.30 WIB" in offices[0]["hours"]


async def test_the_regions_own_note_is_told(make_tracker, domain, dispatcher, fake_services):
    note = fake_services.offices("Metro").region_note
    assert note  # Metro's MPP is not verified: the resident is told so
    tracker = make_tracker("kantor layanan metro", slots={"kabupaten_kota": "Metro"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    notes = [m["note"] for m in dispatcher.messages if m["response"] == "utter_office_note"]
    assert note in notes
