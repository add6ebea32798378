"""Answers from the context: follow-ups, everyday messages, side questions, leaving a form."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint import ValidateComplaintForm
from actions.context import (
    REPLY_SLOT,
    ActionAnswerInContext,
    ActionReadContext,
    ActionSideAnswer,
)
from actions.food_prices import ActionFoodPrice
from actions.form_endings import ActionCancelForm
from actions.forms import TabikFormValidator
from actions.information import ActionRequirements
from actions.social_aid import ActionCheckSocialAid
from actions.tax import ActionCheckTax
from actions.tracker import LAST_ANSWER_SLOT
from tests.auxil.actions import message, responses, slot_events

FOOD_IN_METRO = {
    "service": "food_price",
    "values": {"commodity": "beras", "kabupaten_kota": "Metro"},
}


def said(
    make_tracker: Any,
    text: str,
    *,
    intent: str = "inform",
    entities: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    last: dict[str, Any] | None = None,
    **more: Any,
) -> Tracker:
    """A message with its entities at the place they were typed (``(entity, value, as typed)``)."""
    tracker = make_tracker(
        text, intent=intent, slots={LAST_ANSWER_SLOT: last, **more.pop("slots", {})}, **more
    )
    tracker.latest_message["entities"] = [
        {
            "entity": name,
            "value": value,
            "start": text.index(typed),
            "end": text.index(typed) + len(typed),
        }
        for name, value, typed in entities
    ]
    return tracker


async def read_and_answer(
    tracker: Tracker, domain: dict[str, Any], dispatcher: CollectingDispatcher
) -> list[dict[str, Any]] | None:
    """What the rule does: the read action flags the message, the answer action answers it."""
    flagged = slot_events(await ActionReadContext().run(dispatcher, tracker, domain))
    if not flagged.get(REPLY_SLOT):
        return None
    tracker.slots[REPLY_SLOT] = True
    return await ActionAnswerInContext().run(dispatcher, tracker, domain)


# -- follow-ups --------------------------------------------------------------


async def test_another_commodity_is_priced_for_the_same_regency(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker, "kalo cabe?", entities=[("commodity", "cabai", "cabe")], last=FOOD_IN_METRO
    )
    events = await read_and_answer(tracker, domain, dispatcher)
    assert events is not None
    assert fake_services.upstream.food_prices.calls == [("cabai", "Metro")]
    assert "utter_food_price" in responses(dispatcher)
    slots = slot_events(events)
    assert slots[LAST_ANSWER_SLOT]["values"] == {"commodity": "cabai", "kabupaten_kota": "Metro"}
    assert slots[REPLY_SLOT] is None


async def test_another_regency_keeps_the_commodity(make_tracker, domain, dispatcher, fake_services):
    tracker = said(
        make_tracker,
        "klo di lamsel brp",
        intent="ask_office_info",
        entities=[("kabupaten_kota", "Lampung Selatan", "lamsel")],
        last=FOOD_IN_METRO,
    )
    assert await read_and_answer(tracker, domain, dispatcher) is not None
    assert fake_services.upstream.food_prices.calls == [("beras", "Lampung Selatan")]


async def test_a_full_new_question_is_not_a_follow_up(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker,
        "harga cabe berapa",
        intent="ask_food_price",
        entities=[("commodity", "cabai", "cabe")],
        last=FOOD_IN_METRO,
    )
    assert await read_and_answer(tracker, domain, dispatcher) is None


async def test_without_an_answer_before_a_value_alone_is_not_a_follow_up(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(make_tracker, "kalo cabe?", entities=[("commodity", "cabai", "cabe")])
    assert await read_and_answer(tracker, domain, dispatcher) is None


async def test_inside_a_form_nothing_is_read_in_context(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker,
        "kalo cabe?",
        entities=[("commodity", "cabai", "cabe")],
        last=FOOD_IN_METRO,
        active_loop="complaint_form",
        requested_slot="description",
    )
    assert await read_and_answer(tracker, domain, dispatcher) is None


async def test_another_plate_after_vehicle_tax(make_tracker, domain, dispatcher, fake_services):
    tracker = said(
        make_tracker,
        "kalo yg BE 4521 AC?",
        entities=[("plate_number", "BE 4521 AC", "BE 4521 AC")],
        last={"service": "tax", "values": {}},
    )
    await read_and_answer(tracker, domain, dispatcher)
    assert fake_services.upstream.vehicle_tax.calls == [("BE 4521 AC",)]
    assert "utter_tax_result" in responses(dispatcher)


async def test_a_plate_from_elsewhere_is_told_its_province(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(make_tracker, "kalo yg B 1234 XYZ?", last={"service": "tax", "values": {}})
    await read_and_answer(tracker, domain, dispatcher)
    assert fake_services.upstream.vehicle_tax.calls == []
    refusal = message(dispatcher, "utter_plate_not_lampung")
    assert refusal["plate"] == "B 1234 XYZ" and refusal["province"].startswith("DKI Jakarta")


async def test_another_nik_after_social_aid_and_its_length_checked(
    make_tracker, domain, dispatcher, fake_services
):
    last = {"service": "social_aid", "values": {}}
    tracker = said(
        make_tracker,
        "kalo nik 1871015512900002?",
        entities=[("nik", "1871015512900002", "1871015512900002")],
        last=last,
    )
    events = await read_and_answer(tracker, domain, dispatcher)
    assert fake_services.upstream.social_aid.calls == [("1871015512900002",)]
    # The NIK itself is not kept for the next follow-up.
    assert "1871015512900002" not in str(slot_events(events or [])[LAST_ANSWER_SLOT])

    short = CollectingDispatcher()
    await read_and_answer(said(make_tracker, "kalo nik 18710115?", last=last), domain, short)
    assert message(short, "utter_invalid_nik_length")["digit_count"] == 8


async def test_another_document_after_its_requirements(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker,
        "kalo kk?",
        entities=[("document_type", "kk", "kk")],
        last={"service": "requirements", "values": {"document_type": "ktp"}},
    )
    events = await read_and_answer(tracker, domain, dispatcher)
    assert message(dispatcher, "utter_requirements")["label"] == "Kartu Keluarga (KK)"
    assert slot_events(events or [])[LAST_ANSWER_SLOT]["values"] == {"document_type": "kk"}


async def test_applying_after_the_requirements_fills_the_document(
    make_tracker, domain, dispatcher, fake_services
):
    last = {"service": "requirements", "values": {"document_type": "akta_kelahiran"}}
    tracker = said(make_tracker, "mau ajuin sekarang", intent="apply_service", last=last)
    events = await read_and_answer(tracker, domain, dispatcher)
    assert slot_events(events or [])["document_type"] == "akta_kelahiran"
    assert dispatcher.messages == []  # the application form asks the next question
    after_food = said(
        make_tracker, "mau ajuin sekarang", intent="apply_service", last=FOOD_IN_METRO
    )
    assert await read_and_answer(after_food, domain, CollectingDispatcher()) is None


async def test_answered_services_remember_what_a_follow_up_may_change(
    make_tracker, domain, dispatcher, fake_services
):
    food = slot_events(
        await ActionFoodPrice().run(
            dispatcher,
            make_tracker(slots={"commodity": "beras", "kabupaten_kota": "Metro"}),
            domain,
        )
    )
    assert food[LAST_ANSWER_SLOT] == FOOD_IN_METRO
    assert food["commodity"] is None  # the form's own slots still start fresh
    aid = slot_events(
        await ActionCheckSocialAid().run(
            dispatcher, make_tracker(slots={"nik": "1871015512900002"}), domain
        )
    )
    assert aid[LAST_ANSWER_SLOT] == {"service": "social_aid", "values": {}}
    requirement = slot_events(
        await ActionRequirements().run(
            dispatcher, make_tracker(slots={"document_type": "kk"}), domain
        )
    )
    assert requirement[LAST_ANSWER_SLOT] == {
        "service": "requirements",
        "values": {"document_type": "kk"},
    }


# -- everyday messages -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "response"),
    [
        ("🙏", "out_of_scope", "utter_thanks"),
        ("🙏🙏", "nlu_fallback", "utter_thanks"),
        ("makasih min 🙏", "greet", "utter_thanks"),
        ("matur nuwun pak", "inform", "utter_thanks"),
        ("😭😭", "out_of_scope", "utter_sympathy"),
        ("👍", "nlu_fallback", "utter_anything_else"),
        ("bot goblok", "out_of_scope", "utter_insult_calm"),
    ],
)
async def test_everyday_messages_are_read_as_meant(
    make_tracker, domain, dispatcher, fake_services, text, intent, response
):
    events = await read_and_answer(said(make_tracker, text, intent=intent), domain, dispatcher)
    assert events is not None
    assert responses(dispatcher) == [response]
    assert "utter_out_of_scope" not in responses(dispatcher)
    assert "utter_menu" not in responses(dispatcher)


async def test_an_insult_is_offered_an_officer(make_tracker, domain, dispatcher, fake_services):
    await read_and_answer(
        said(make_tracker, "dasar bot tolol", intent="out_of_scope"), domain, dispatcher
    )
    buttons = message(dispatcher, "utter_insult_calm")["buttons"]
    assert [button["payload"] for button in buttons] == ["/human_handoff"]


async def test_a_complaint_with_an_insult_stays_a_complaint(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(make_tracker, "jalan rusak gak dibenerin, pemda goblok", intent="file_complaint")
    assert await read_and_answer(tracker, domain, dispatcher) is None


async def test_an_emergency_is_never_read_as_everyday(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(make_tracker, "tolong 😭 rumah kebakaran", intent="emergency")
    assert await read_and_answer(tracker, domain, dispatcher) is None


@pytest.mark.parametrize(
    ("text", "response", "hours"),
    [
        ("sabtu buka?", "utter_office_day_closed", None),
        ("hari jumat buka jam brp", "utter_office_day_open", "08.00–11.30 WIB"),
        ("senin dukcapil buka jam berapa min", "utter_office_day_open", "08.00–15.00 WIB"),
    ],
)
async def test_a_day_asked_is_answered_from_the_one_schedule(
    make_tracker, domain, dispatcher, fake_services, text, response, hours
):
    await read_and_answer(said(make_tracker, text, intent="ask_office_info"), domain, dispatcher)
    answer = message(dispatcher, response)
    if hours:
        assert answer["hours"] == hours
    else:
        assert answer["day"] == "Sabtu"
        assert answer["schedule"] == fake_services.office_hours().describe()


# -- inside a form: side questions, a change of mind -------------------------


async def test_a_price_asked_inside_a_complaint_is_answered_and_the_form_kept(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker,
        "eh harga cabe brp skrg?",
        intent="ask_food_price",
        entities=[("commodity", "cabai", "cabe")],
        active_loop="complaint_form",
        requested_slot="kecamatan",
        slots={"complaint_category": "jalan", "kabupaten_kota": "Metro"},
    )
    events = await ActionSideAnswer().run(dispatcher, tracker, domain)
    assert "utter_food_price" in responses(dispatcher)
    assert events == []  # the complaint's answers stay; the form asks its question again


async def test_a_side_question_without_its_value_is_kept_for_later(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker, "cek pajak motor bisa?", intent="check_tax", active_loop="complaint_form"
    )
    assert await ActionSideAnswer().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_side_question_later"]


async def test_a_change_of_mind_ends_the_form_and_starts_the_new_request(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = said(
        make_tracker,
        "udah lah gak jadi, mau tanya harga aja",
        intent="ask_food_price",
        active_loop="complaint_form",
        requested_slot="kecamatan",
    )
    events = await ActionSideAnswer().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_cancelled"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert events[-1] == {"event": "followup", "name": "food_price_form", "timestamp": None}


async def test_cancel_with_another_request_starts_it(
    make_tracker, domain, dispatcher, fake_services
):
    ended = [
        {"event": "active_loop", "name": "complaint_form"},
        {"event": "active_loop", "name": None},
    ]
    tracker = said(
        make_tracker, "udah lah gak jadi, mau tanya harga aja", intent="cancel", events=ended
    )
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_cancelled"]
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "food_price_form"
    # "gak jadi lapor" names the form that just ended: it is not started again.
    again = said(make_tracker, "gak jadi lapor deh", intent="cancel", events=ended)
    events = await ActionCancelForm().run(CollectingDispatcher(), again, domain)
    assert all(event["event"] != "followup" for event in events)


@pytest.mark.parametrize("intent", ["ask_food_price", "check_tax", "check_social_aid"])
def test_side_questions_interrupt_a_form(make_tracker, intent):
    tracker = said(
        make_tracker,
        "eh mau nanya itu dulu, brp ya skrg?",
        intent=intent,
        active_loop="complaint_form",
        requested_slot="complaint_category",
    )
    validator: TabikFormValidator = ValidateComplaintForm()
    assert validator.is_interruption(tracker)


# -- two requests in one message ---------------------------------------------


async def test_a_second_request_is_offered_after_the_first(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker(
        "cek pajak BE 1234 AB sama harga beras dong",
        intent="check_tax",
        slots={"plate_number": "BE 1234 AB"},
    )
    await ActionCheckTax().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_tax_result"
    offer = message(dispatcher, "utter_offer_other_request")
    assert offer["service"] == "Harga pangan"
    assert offer["buttons"] == [{"title": "Harga pangan", "payload": "/ask_food_price"}]


async def test_one_request_gets_no_offer(make_tracker, domain, dispatcher, fake_services):
    tracker = make_tracker(
        "cek pajak BE 1234 AB", intent="check_tax", slots={"plate_number": "BE 1234 AB"}
    )
    await ActionCheckTax().run(dispatcher, tracker, domain)
    assert "utter_offer_other_request" not in responses(dispatcher)
