"""Place answers in the forms are resolved in the gazetteer; whatever a message says is used."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application import ValidateApplicationForm
from actions.complaint import ValidateComplaintForm
from actions.complaint_filing import ActionSubmitComplaint
from actions.places import ActionAskDesa, ActionAskKecamatan
from tests.auxil.actions import message, responses, slot_events

BEFORE_KECAMATAN = {
    "complaint_category": "jalan",
    "kabupaten_kota": "Bandar Lampung",
    "draft_id": "draft-1",
}
BEFORE_DESA = {**BEFORE_KECAMATAN, "kecamatan": "Kedaton"}
SUMMARY = {
    **BEFORE_DESA,
    "desa": "Sidodadi",
    "description": "Jalan berlubang besar di depan sekolah, sudah tiga bulan.",
    "attachment_id": "-",
    "complaint_private": True,
}


async def validate(tracker: Any, domain: dict[str, Any], form: Any = None) -> tuple[dict, Any]:
    dispatcher = CollectingDispatcher()
    events = await (form or ValidateComplaintForm()).run(dispatcher, tracker, domain)
    return slot_events(events), dispatcher


async def test_a_correction_at_the_kecamatan_question_stores_the_corrected_place(
    make_tracker, domain
):
    tracker = make_tracker(
        "eh salah, bukan kedaton yg bener rajabasa",
        intent="deny",
        entities={"kecamatan": "Kedaton"},
        requested_slot="kecamatan",
        slots=BEFORE_KECAMATAN,
        active_loop="complaint_form",
    )
    slots, _ = await validate(tracker, domain)
    assert slots["kecamatan"] == "Rajabasa"
    assert slots["requested_slot"] == "desa"


async def test_a_correction_at_the_summary_changes_the_place_and_shows_the_summary_again(
    make_tracker, domain
):
    tracker = make_tracker(
        "bukan kedaton, yg bener way halim",
        intent="inform",
        requested_slot="complaint_confirmed",
        slots=SUMMARY,
        active_loop="complaint_form",
    )
    slots, dispatcher = await validate(tracker, domain)
    assert slots["kecamatan"] == "Way Halim"
    # Sidodadi is not in Way Halim: the desa is asked again, then the summary.
    assert slots["desa"] is None and slots["requested_slot"] == "desa"
    assert "utter_invalid_confirmation" not in responses(dispatcher)


async def test_a_kelurahan_in_the_opening_fills_its_kecamatan_and_kabupaten(make_tracker, domain):
    tracker = make_tracker(
        "lampu jalan di kel way dadi mati semua",
        intent="file_complaint",
        entities={"complaint_category": "penerangan", "desa": "Way Dadi"},
    )
    slots, _ = await validate(tracker, domain)
    assert (slots["kabupaten_kota"], slots["kecamatan"], slots["desa"]) == (
        "Bandar Lampung",
        "Sukarame",
        "Way Dadi",
    )
    assert slots["requested_slot"] not in {"kabupaten_kota", "kecamatan", "desa"}


@pytest.mark.parametrize(
    "text",
    ["wah saya kurang tau ya pokoknya deket pasar", "yang deket masjid itu lho kak"],
)
async def test_a_sentence_answered_to_the_desa_question_is_not_stored(make_tracker, domain, text):
    tracker = make_tracker(
        text, requested_slot="desa", slots=BEFORE_DESA, active_loop="complaint_form"
    )
    slots, dispatcher = await validate(tracker, domain)
    assert slots.get("desa") is None
    assert slots["requested_slot"] == "desa"
    assert "utter_invalid_desa" in responses(dispatcher)


async def test_an_unknown_desa_gets_close_names_and_a_number_picks_one(
    make_tracker, domain, dispatcher
):
    tracker = make_tracker(
        "sukamen", requested_slot="desa", slots=BEFORE_DESA, active_loop="complaint_form"
    )
    slots, _ = await validate(tracker, domain)
    offered = slots["place_options"]
    assert slots.get("desa") is None and offered["kind"] == "suggested"
    assert 1 <= len(offered["options"]) <= 3
    ask = make_tracker("", slots={**BEFORE_DESA, "place_options": offered})
    await ActionAskDesa().run(dispatcher, ask, domain)
    assert responses(dispatcher) == ["utter_place_suggested", "utter_ask_desa"]
    buttons = message(dispatcher, "utter_place_suggested")["buttons"]
    assert [b["payload"] for b in buttons] == [str(n) for n in range(1, len(buttons) + 1)]
    pick = make_tracker(
        "1",
        requested_slot="desa",
        slots={**BEFORE_DESA, "place_options": offered},
        active_loop="complaint_form",
    )
    slots, _ = await validate(pick, domain)
    assert slots["desa"] == offered["options"][0]["desa"]
    assert slots["place_options"] is None


async def test_a_name_several_kelurahan_share_asks_which_with_buttons(
    make_tracker, domain, dispatcher
):
    tracker = make_tracker(
        "kel kota baru",
        requested_slot="kabupaten_kota",
        slots={"complaint_category": "jalan", "draft_id": "d"},
        active_loop="complaint_form",
    )
    slots, _ = await validate(tracker, domain)
    offered = slots["place_options"]
    assert offered["kind"] == "ambiguous" and len(offered["options"]) == 3
    pick = make_tracker(
        "3",
        requested_slot="kabupaten_kota",
        slots={"complaint_category": "jalan", "draft_id": "d", "place_options": offered},
        active_loop="complaint_form",
    )
    slots, _ = await validate(pick, domain)
    chosen = offered["options"][2]
    assert (slots["kabupaten_kota"], slots["kecamatan"], slots["desa"]) == (
        chosen["kabupaten_kota"],
        chosen["kecamatan"],
        chosen["desa"],
    )


async def test_a_kecamatan_from_another_kabupaten_is_offered_not_stored(
    make_tracker, domain, dispatcher
):
    tracker = make_tracker(
        "natar", requested_slot="kecamatan", slots=BEFORE_KECAMATAN, active_loop="complaint_form"
    )
    slots, _ = await validate(tracker, domain)
    assert slots.get("kecamatan") is None
    ask = make_tracker("", slots={**BEFORE_KECAMATAN, "place_options": slots["place_options"]})
    await ActionAskKecamatan().run(dispatcher, ask, domain)
    assert responses(dispatcher) == ["utter_place_ambiguous"]


async def test_a_complaint_told_in_full_reaches_the_summary_at_once(make_tracker, domain):
    text = (
        "jalan di kel way dadi sukarame bolong2 parah udah 3 bulan, "
        "gak ada foto, rahasiakan nama saya ya"
    )
    tracker = make_tracker(
        text,
        intent="file_complaint",
        entities={"complaint_category": "jalan", "kecamatan": "Sukarame", "desa": "Way Dadi"},
    )
    slots, dispatcher = await validate(tracker, domain)
    assert slots["requested_slot"] == "complaint_confirmed"
    assert slots["attachment_id"] == "-" and slots["complaint_private"] is True
    assert slots["kabupaten_kota"] == "Bandar Lampung" and slots["desa"] == "Way Dadi"
    assert "utter_description_from_opening" in responses(dispatcher)


async def test_a_desa_of_the_named_kecamatan_is_read_without_a_tag(make_tracker, domain):
    tracker = make_tracker(
        "lampu jalan mati di way dadi sukarame",
        intent="file_complaint",
        entities={"complaint_category": "penerangan", "kecamatan": "Sukarame"},
    )
    slots, _ = await validate(tracker, domain)
    assert slots["desa"] == "Way Dadi"


@pytest.mark.parametrize("text", ["fotonya nyusul", "foto nanti sy kirim", "fotonya belakangan"])
async def test_a_photo_sent_later_files_now_and_says_how(
    make_tracker, domain, dispatcher, fake_services, text
):
    tracker = make_tracker(
        text,
        requested_slot="attachment_id",
        slots={**SUMMARY, "attachment_id": None, "complaint_private": None},
        active_loop="complaint_form",
    )
    slots, _ = await validate(tracker, domain)
    assert slots["attachment_id"] == "nanti"
    assert slots["requested_slot"] == "complaint_private"
    filed = make_tracker(
        "ya", slots={**SUMMARY, "attachment_id": "nanti", "complaint_confirmed": "ya"}
    )
    await ActionSubmitComplaint().run(dispatcher, filed, domain)
    [(number, draft, _, _)] = fake_services.filed
    assert draft.attachments == ()
    assert message(dispatcher, "utter_complaint_photo_later")["ticket_number"] == number


@pytest.mark.parametrize("text", ["rahasiakan aja", "dirahasiakan ya min", "anonim"])
async def test_rahasiakan_keeps_the_identity_private(make_tracker, domain, text):
    tracker = make_tracker(
        text,
        requested_slot="complaint_private",
        slots={**SUMMARY, "complaint_private": None},
        active_loop="complaint_form",
    )
    slots, _ = await validate(tracker, domain)
    assert slots["complaint_private"] is True
    assert slots["requested_slot"] == "complaint_confirmed"


@pytest.mark.parametrize(("text", "count"), [("18710115", 8), ("nik saya 1871 0115 0890", 12)])
async def test_a_nik_of_the_wrong_length_is_told_its_digit_count(make_tracker, domain, text, count):
    tracker = make_tracker(
        text,
        requested_slot="nik",
        slots={"document_type": "kk", "draft_id": "d"},
        active_loop="application_form",
    )
    slots, dispatcher = await validate(tracker, domain, ValidateApplicationForm())
    assert slots.get("nik") is None
    assert message(dispatcher, "utter_invalid_nik_length")["digit_count"] == count


async def test_an_opening_with_name_and_nik_asks_only_what_is_missing(make_tracker, domain):
    tracker = make_tracker(
        "mau bikin kk, nama saya Siti Aminah nik 1871011508900001",
        intent="apply_service",
        entities={"document_type": "kk", "nik": "1871011508900001"},
    )
    slots, _ = await validate(tracker, domain, ValidateApplicationForm())
    assert slots["full_name"] == "Siti Aminah" and slots["nik"] == "1871011508900001"
    assert slots["requested_slot"] == "kabupaten_kota"
