"""complaint_form: prefilled slots, typed numbers, the location pin, photos, privacy, filing."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint import ActionAskComplaintFormKabupatenKota, ValidateComplaintForm
from actions.complaint_filing import ActionAskComplaintConfirmed, ActionSubmitComplaint
from bot.domain.errors import TicketNumberUnavailable
from tests.auxil.actions import message, responses, slot_events

FILLED = {
    "complaint_category": "jalan",
    "kabupaten_kota": "Lampung Selatan",
    "kecamatan": "Natar",
    "desa": "Hajimena",
    "description": "Jalan berlubang besar di depan SDN 1 Hajimena.",
    "attachment_id": "-",
    "complaint_private": True,
    "draft_id": "draft-1",
}


async def validate(tracker, domain, dispatcher=None):
    dispatcher = dispatcher or CollectingDispatcher()
    events = await ValidateComplaintForm().run(dispatcher, tracker, domain)
    return slot_events(events), dispatcher


async def test_entities_in_the_first_message_prefill_and_skip_questions(make_tracker, domain):
    tracker = make_tracker(
        "jalan rusak di natar lamsel",
        intent="file_complaint",
        entities={
            "complaint_category": "jalan",
            "kecamatan": "Natar",
            "kabupaten_kota": "Lampung Selatan",
        },
    )
    slots, _ = await validate(tracker, domain)
    assert slots["complaint_category"] == "jalan"
    assert slots["kabupaten_kota"] == "Lampung Selatan"
    assert slots["kecamatan"] == "Natar"
    assert slots["requested_slot"] == "desa"
    assert slots["draft_id"]


async def test_a_kecamatan_alone_also_gives_its_kabupaten(make_tracker, domain):
    tracker = make_tracker(
        "sampah numpuk di natar",
        intent="file_complaint",
        entities={"complaint_category": "sampah", "kecamatan": "Natar"},
    )
    slots, _ = await validate(tracker, domain)
    assert slots["kabupaten_kota"] == "Lampung Selatan"
    assert slots["requested_slot"] == "desa"


@pytest.mark.parametrize(
    ("text", "intent", "asked", "slots", "answer", "next_question"),
    [
        # "1" outside a form is the main menu's check_status; here it is the first category.
        ("1", "check_status", "complaint_category", {"draft_id": "d"}, "jalan", "kabupaten_kota"),
        ("lewati", "inform", "desa", {**FILLED, "desa": None, "description": None}, "-",
         "description"),
        # The photo question's skip button.
        ("/deny", "deny", "attachment_id",
         {**FILLED, "attachment_id": None, "complaint_private": None}, "-", "complaint_private"),
    ],
    ids=["a typed number picks the category", "desa skipped", "photo skipped with the button"],
)  # fmt: skip
async def test_an_answer_fills_its_slot_and_the_next_question_follows(
    make_tracker, domain, text, intent, asked, slots, answer, next_question
):
    tracker = make_tracker(text, intent=intent, requested_slot=asked, slots=slots)
    filled, _ = await validate(tracker, domain)
    assert filled[asked] == answer
    assert filled["requested_slot"] == next_question


async def test_a_category_button_payload_fills_the_slot(make_tracker, domain):
    tracker = make_tracker(
        '/inform{"complaint_category":"banjir"}',
        entities={"complaint_category": "banjir"},
        requested_slot="complaint_category",
        slots={"draft_id": "d"},
    )
    slots, _ = await validate(tracker, domain)
    assert slots["complaint_category"] == "banjir"


async def test_batal_is_not_taken_as_an_answer(make_tracker, domain):
    tracker = make_tracker(
        "batal",
        intent="cancel",
        requested_slot="description",
        slots={**FILLED, "description": None},
    )
    events = await ValidateComplaintForm().run(CollectingDispatcher(), tracker, domain)
    # Only requested_slot: Rasa rejects the form and the cancel rule runs.
    assert [e["name"] for e in events if e["event"] == "slot"] == ["requested_slot"]


async def test_a_long_description_classified_as_help_is_still_the_description(make_tracker, domain):
    text = "Tolong pak, lampu jalan di gang kami mati sudah seminggu, gelap sekali malam hari"
    tracker = make_tracker(
        text,
        intent="help",
        confidence=0.9,
        requested_slot="description",
        slots={**FILLED, "description": None},
    )
    slots, _ = await validate(tracker, domain)
    assert slots["description"] == text


async def test_a_location_pin_skips_the_place_questions(make_tracker, domain):
    tracker = make_tracker(
        '/share_location{"latitude": -5.36, "longitude": 105.24}',
        intent="share_location",
        entities={"latitude": -5.36, "longitude": 105.24},
        requested_slot="kabupaten_kota",
        slots={"complaint_category": "jalan", "draft_id": "d"},
        metadata={"location": {"name": "Pasar Natar", "address": "Jl. Raya Natar"}},
    )
    slots, _ = await validate(tracker, domain)
    assert slots["latitude"] == "-5.36"
    assert slots["longitude"] == "105.24"
    assert slots["location_text"] == "Pasar Natar, Jl. Raya Natar"
    assert slots["requested_slot"] == "description"


async def test_a_pin_outside_lampung_is_refused(make_tracker, domain):
    tracker = make_tracker(
        "/share_location",
        intent="share_location",
        entities={"latitude": -6.2, "longitude": 106.8},  # Jakarta
        requested_slot="kabupaten_kota",
        slots={"complaint_category": "jalan", "draft_id": "d"},
    )
    slots, dispatcher = await validate(tracker, domain)
    assert "latitude" not in slots
    assert "utter_location_outside_lampung" in responses(dispatcher)


async def test_a_short_description_is_refused_then_explained(make_tracker, domain):
    base_slots = {**FILLED, "description": None}
    tracker = make_tracker("rusak", requested_slot="description", slots=base_slots)
    slots, dispatcher = await validate(tracker, domain)
    assert slots["description"] is None
    assert responses(dispatcher) == ["utter_description_too_short"]

    again = make_tracker(
        "rusak aja",
        requested_slot="description",
        slots={**base_slots, "failed_attempts": slots["failed_attempts"]},
    )
    _, dispatcher = await validate(again, domain)
    assert responses(dispatcher) == ["utter_description_too_short", "utter_explain_description"]


async def test_a_description_over_2000_characters_is_refused(make_tracker, domain):
    tracker = make_tracker(
        "a" * 2500, requested_slot="description", slots={**FILLED, "description": None}
    )
    slots, dispatcher = await validate(tracker, domain)
    assert slots["description"] is None
    assert message(dispatcher, "utter_description_too_long")["max_chars"] == 2000


async def test_a_photo_is_taken_at_any_step(make_tracker, domain):
    tracker = make_tracker(
        '/share_photo{"attachment_id": "tg:AgAD123"}',
        intent="share_photo",
        entities={"attachment_id": "tg:AgAD123"},
        requested_slot="description",
        slots={**FILLED, "description": None, "attachment_id": None},
        metadata={
            "attachment": {
                "kind": "photo",
                "id": "tg:AgAD123",
                "mime_type": "image/jpeg",
                "caption": "lubang",
            }
        },
    )
    slots, _ = await validate(tracker, domain)
    assert slots["attachment_id"] == "tg:AgAD123"
    assert slots["attachment_info"]["caption"] == "lubang"
    # The photo does not answer the description question.
    assert slots["requested_slot"] == "description"


@pytest.mark.parametrize("requested", ["attachment_id", "description"])
@pytest.mark.parametrize(
    "metadata",
    [{}, {"attachment": {"kind": "photo", "id": "wa:../../me"}}, {"attachment": "wa:123"}],
)
async def test_a_typed_photo_payload_attaches_nothing_and_the_form_goes_on(
    make_tracker, domain, requested, metadata
):
    # What a resident types, or a payload whose metadata names no platform photo.
    tracker = make_tracker(
        '/share_photo{"attachment_id": "wa:123456"}',
        intent="share_photo",
        entities={"attachment_id": "wa:123456"},
        requested_slot=requested,
        slots={**FILLED, requested: None, "attachment_id": None},
        metadata=metadata,
    )
    slots, _ = await validate(tracker, domain)
    assert slots.get("attachment_id") is None and slots.get("attachment_info") is None
    assert slots["requested_slot"] == requested


async def test_a_photo_slot_with_a_typed_reference_is_filed_without_it(
    answer_summary, fake_services
):
    forged = {**FILLED, "attachment_id": "wa:../../v21.0/me", "attachment_info": {"kind": "x"}}
    await answer_summary(ActionSubmitComplaint(), forged, complaint_confirmed="ya")
    assert fake_services.filed[0][1].attachments == ()


async def test_privacy_answers(make_tracker, domain):
    for text, private in (("1", False), ("2", True), ("boleh", False)):
        tracker = make_tracker(
            text, requested_slot="complaint_private", slots={**FILLED, "complaint_private": None}
        )
        slots, _ = await validate(tracker, domain)
        assert slots["complaint_private"] is private, text


async def test_ubah_asks_which_part_and_clears_it(make_tracker, domain):
    tracker = make_tracker("ubah", requested_slot="complaint_confirmed", slots=FILLED)
    slots, _ = await validate(tracker, domain)
    assert slots["edit_requested"] is True
    assert slots["requested_slot"] == "edit_field"

    choose = make_tracker(
        "3", requested_slot="edit_field", slots={**FILLED, "edit_requested": True}
    )
    slots, _ = await validate(choose, domain)
    assert slots["description"] is None
    assert slots["requested_slot"] == "description"


async def test_the_location_question_asks_for_a_pin(make_tracker, domain, dispatcher):
    await ActionAskComplaintFormKabupatenKota().run(dispatcher, make_tracker(), domain)
    assert responses(dispatcher) == ["utter_ask_location_pin", "utter_ask_kabupaten_kota"]
    region_list = message(dispatcher, "utter_ask_kabupaten_kota")
    assert region_list["options"].startswith("1. Kota Bandar Lampung")
    assert len(region_list["buttons"]) == 15
    assert domain["responses"]["utter_ask_location_pin"][0]["custom"] == {"request_location": True}


async def test_the_summary_shows_every_answer(make_tracker, domain, dispatcher):
    await ActionAskComplaintConfirmed().run(dispatcher, make_tracker(slots=FILLED), domain)
    summary = message(dispatcher, "utter_complaint_summary")
    assert summary["category"] == "Jalan rusak"
    assert summary["location"] == "Hajimena, Kec. Natar, Kabupaten Lampung Selatan"
    assert summary["photo"] == "tidak ada"
    assert summary["privacy"] == "dirahasiakan"


async def test_confirmed_complaint_is_filed_with_the_draft_id(
    answer_summary, dispatcher, fake_services
):
    events = await answer_summary(ActionSubmitComplaint(), FILLED, complaint_confirmed="ya")
    number, draft, identity, key = fake_services.filed[0]
    assert key == "draft-1"
    assert identity.channel == "telegram"
    assert draft.category == "jalan" and draft.kecamatan == "Natar" and draft.private is True
    assert draft.attachments == ()
    assert responses(dispatcher)[0] == "utter_complaint_filed"
    assert message(dispatcher, "utter_complaint_filed")["ticket_number"] == number
    assert "utter_how_to_check" in responses(dispatcher)
    assert all(value is None for value in slot_events(events).values())


async def test_declined_complaint_files_nothing(answer_summary, dispatcher, fake_services):
    await answer_summary(ActionSubmitComplaint(), FILLED, complaint_confirmed="tidak")
    assert fake_services.filed == []
    assert responses(dispatcher) == ["utter_cancelled"]


async def test_a_failed_filing_keeps_the_answers_and_asks_again(
    answer_summary, dispatcher, fake_services
):
    fake_services.fail_filing = TicketNumberUnavailable(8)
    events = await answer_summary(ActionSubmitComplaint(), FILLED, complaint_confirmed="ya")
    assert responses(dispatcher) == ["utter_filing_failed"]
    assert slot_events(events) == {"complaint_confirmed": None}
    assert {"event": "followup", "name": "complaint_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in events
    ]
