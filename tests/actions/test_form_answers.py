"""A form's answer is read as an answer first, whatever intent the model gave it.

"Sidodadi" (a kelurahan of Kedaton) answering "Di desa/kelurahan mana?" once
came back as `cancel` and ended the complaint. These tests hand the validator
every spelling of real Lampung place names with the intents a model could
wrongly give them, and check that only clear words still interrupt.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.complaint import ValidateComplaintForm
from bot.config import PROJECT_ROOT
from tests.auxil.actions import message, responses, slot_events
from tests.auxil.places import KECAMATAN, every_spelling

# Intents a model has given (or could give) a bare place name.
WRONG_INTENTS = (
    "cancel", "deny", "affirm", "emergency", "help", "ask_requirements", "ask_office_info",
    "check_status", "human_handoff", "bot_challenge", "greet", "goodbye", "out_of_scope",
    "check_tax", "nlu_fallback",
)  # fmt: skip

BEFORE_DESA = {
    "complaint_category": "jalan",
    "kabupaten_kota": "Bandar Lampung",
    "kecamatan": "Kedaton",
    "draft_id": "draft-1",
}
BEFORE_PHOTO = {
    **BEFORE_DESA,
    "desa": "Sidodadi",
    "description": "Jalan berlubang besar di depan sekolah, sudah tiga bulan.",
}


async def validate(tracker: Any, domain: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    dispatcher = CollectingDispatcher()
    events = await ValidateComplaintForm().run(dispatcher, tracker, domain)
    return slot_events(events), dispatcher


def desa_answer(make_tracker: Any, text: str, intent: str) -> Any:
    return make_tracker(
        text,
        intent=intent,
        confidence=0.99,
        requested_slot="desa",
        slots=BEFORE_DESA,
        active_loop="complaint_form",
    )


@pytest.mark.parametrize("intent", WRONG_INTENTS)
async def test_sidodadi_is_the_desa_whatever_the_intent(make_tracker, domain, intent):
    slots, dispatcher = await validate(desa_answer(make_tracker, "Sidodadi", intent), domain)
    assert slots["desa"] == "Sidodadi"
    assert slots["requested_slot"] == "description"
    assert responses(dispatcher) == []


async def test_every_spelling_of_real_desa_names_is_taken_as_the_desa(make_tracker, domain):
    wrong: list[tuple[str, str, Any]] = []
    for kecamatan, typed, expected in every_spelling():
        for intent in WRONG_INTENTS:
            tracker = make_tracker(
                typed,
                intent=intent,
                confidence=0.99,
                requested_slot="desa",
                slots={
                    **BEFORE_DESA,
                    "kabupaten_kota": kecamatan.region,
                    "kecamatan": kecamatan.name,
                },
            )
            slots, _ = await validate(tracker, domain)
            if slots.get("desa") != expected or slots.get("requested_slot") != "description":
                wrong.append((typed, intent, slots.get("desa")))
    assert not wrong, wrong[:20]


@pytest.mark.parametrize("kecamatan", KECAMATAN, ids=lambda k: k.name)
async def test_a_kecamatan_answering_the_region_question_gives_both(
    make_tracker, domain, kecamatan
):
    if kecamatan.name in {"Rajabasa", "Mesuji", "Pringsewu"}:
        pytest.skip("the name is also a kabupaten/kota or is in two of them")
    for intent in ("cancel", "ask_office_info", "inform"):
        tracker = make_tracker(
            kecamatan.name.lower(),
            intent=intent,
            requested_slot="kabupaten_kota",
            slots={"complaint_category": "jalan", "draft_id": "d"},
        )
        slots, _ = await validate(tracker, domain)
        assert slots["kabupaten_kota"] == kecamatan.region, intent
        assert slots["kecamatan"] == kecamatan.name, intent
        assert slots["requested_slot"] == "desa"


@pytest.mark.parametrize(
    "text", ["batal", "ga jadi deh", "gak jadi lapor", "stop dulu", "cancel aja", "batalin min"]
)
async def test_cancel_words_still_end_the_form(make_tracker, domain, text):
    slots, _ = await validate(desa_answer(make_tracker, text, "cancel"), domain)
    # Only requested_slot: Rasa rejects the form and the cancel rule runs.
    assert set(slots) == {"requested_slot"}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("menu", "help"),
        ("syarat bikin kk apa", "ask_requirements"),
        ("kantor camat buka jam berapa", "ask_office_info"),
        ("mau bicara sama petugas", "human_handoff"),
        ("kamu robot ya?", "bot_challenge"),
        ("tolong ada kebakaran", "emergency"),
        ("kebakaran!!", "emergency"),
    ],
)
async def test_clear_digressions_still_interrupt(make_tracker, domain, text, intent):
    slots, _ = await validate(desa_answer(make_tracker, text, intent), domain)
    assert "desa" not in slots


@pytest.mark.parametrize(
    "text",
    [
        "tidak ada foto", "gak ada", "ga punya fotonya", "skip", "lewat", "lewati",
        "ngga ada gambarnya kak", "belum sempat foto", "tidak", "ga usah",
        "-", "gk ada foto min",
    ],
)  # fmt: skip
@pytest.mark.parametrize("intent", ["inform", "deny", "cancel", "out_of_scope"])
async def test_saying_no_to_the_photo_skips_it(make_tracker, domain, text, intent):
    tracker = make_tracker(
        text,
        intent=intent,
        requested_slot="attachment_id",
        slots=BEFORE_PHOTO,
    )
    slots, dispatcher = await validate(tracker, domain)
    assert slots["attachment_id"] == "-"
    assert slots["requested_slot"] == "complaint_private"
    assert "utter_invalid_attachment_id" not in responses(dispatcher)


async def test_text_that_is_not_a_photo_is_still_refused(make_tracker, domain):
    tracker = make_tracker(
        "jalannya rusak parah", requested_slot="attachment_id", slots=BEFORE_PHOTO
    )
    slots, dispatcher = await validate(tracker, domain)
    assert slots["attachment_id"] is None
    assert responses(dispatcher) == ["utter_invalid_attachment_id"]


async def test_a_place_read_as_deny_does_not_skip_the_desa(make_tracker, domain):
    tracker = desa_answer(make_tracker, "Yosodadi", "deny")
    tracker.slots.update(kabupaten_kota="Metro", kecamatan="Metro Timur")
    slots, _ = await validate(tracker, domain)
    assert slots["desa"] == "Yosodadi"


@pytest.mark.parametrize(
    "text",
    [
        "jalan di depan sekolah saya bolong2 parah",
        "air pdam gak ngalir dari kemarin",
        "sampah di ujung gang belum diangkut seminggu, baunya kemana2",
    ],
)
async def test_an_opening_that_describes_the_problem_is_offered_as_the_description(
    make_tracker, domain, text
):
    tracker = make_tracker(text, intent="file_complaint", entities={"complaint_category": "jalan"})
    slots, dispatcher = await validate(tracker, domain)
    assert slots["description"] == text
    assert slots["requested_slot"] == "kabupaten_kota"
    assert message(dispatcher, "utter_description_from_opening")["description"] == text


@pytest.mark.parametrize(
    "text",
    ["mau lapor jalan rusak min", "sy mau bikin aduan", "mau komplain", "/file_complaint"],
)
async def test_an_opening_that_only_asks_to_complain_leaves_the_description_to_ask(
    make_tracker, domain, text
):
    tracker = make_tracker(text, intent="file_complaint")
    slots, dispatcher = await validate(tracker, domain)
    assert slots.get("description") is None
    assert "utter_description_from_opening" not in responses(dispatcher)


def test_places_in_the_opening_are_not_the_description() -> None:
    text = "sy mau laporin jalan rusak di baradatu way kanan"
    entities = [
        {
            "entity": entity,
            "value": value,
            "start": text.index(typed),
            "end": text.index(typed) + len(typed),
        }
        for entity, value, typed in (
            ("kecamatan", "Baradatu", "baradatu"),
            ("kabupaten_kota", "Way Kanan", "way kanan"),
        )
    ]
    assert not answers.describes_problem(text, entities)
    assert answers.describes_problem("jalan di depan sekolah di baradatu bolong2 parah", [])


def test_every_cancel_example_in_the_training_data_says_cancel() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "nlu" / "data" / "nlu"))
    cancels = [m.get("text") for m in data.intent_examples if m.get("intent") == "cancel"]
    assert len(cancels) > 30
    assert [text for text in cancels if not answers.says_cancel(text)] == []


def test_no_place_name_says_cancel_or_skip() -> None:
    names = [d for k in KECAMATAN for d in k.desa] + [k.name for k in KECAMATAN]
    assert [n for n in names if answers.says_cancel(n) or answers.says_skip(n)] == []


@pytest.mark.parametrize(
    ("text", "cancels"),
    [
        ("tarik aja laporan sy tadi", True),
        ("tarik aduannya min", True),
        ("mau tarik tunai di atm mana", False),
        ("kabel listrik ditarik orang", False),
    ],
)
def test_withdrawing_the_report_cancels_but_tarik_alone_does_not(text: str, cancels: bool) -> None:
    assert answers.says_cancel(text) is cancels
