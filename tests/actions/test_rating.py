"""Rating after selesai: a pending question makes "4" a rating, not the menu's entry 4."""

from __future__ import annotations

from rasa_sdk.events import FollowupAction

from actions.rating import (
    ActionReadRating,
    ActionSubmitRating,
    ActionTakeRating,
    ValidateRatingForm,
)
from bot.services.ratings import PendingRating
from tests.auxil.actions import FILED_AT, responses, slot_events

NUMBER = "ADU-261128-7KQ2"
SENDER = "wa:6281234567890"


def ask(fake_services) -> None:
    fake_services.pending_ratings[SENDER] = PendingRating(number=NUMBER, asked_at=FILED_AT)


async def test_a_bare_number_answers_a_pending_question(
    make_tracker, domain, dispatcher, fake_services
):
    ask(fake_services)
    # The NLU reads "4" as the main menu's entry 4 (requirements).
    tracker = make_tracker("4", intent="ask_requirements", sender_id=SENDER)

    events = await ActionReadRating().run(dispatcher, tracker, domain)

    assert slot_events(events) == {
        "rating_reply": True,
        "rating_ticket": NUMBER,
        "rating_score": 4,
    }
    assert dispatcher.messages == []


async def test_words_and_tapped_buttons_are_read_as_scores(
    make_tracker, domain, dispatcher, fake_services
):
    ask(fake_services)
    for text, score in (("lima", 5), ("bagus banget", 5), ("1", 1), ("nilai 3", 3)):
        tracker = make_tracker(text, intent="nlu_fallback", sender_id=SENDER)
        events = await ActionReadRating().run(dispatcher, tracker, domain)
        assert slot_events(events).get("rating_score") == score, text


async def test_without_a_question_or_inside_a_form_a_number_keeps_its_meaning(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker("4", intent="ask_requirements", sender_id=SENDER)
    assert await ActionReadRating().run(dispatcher, tracker, domain) == []

    ask(fake_services)
    in_form = make_tracker(
        "4", sender_id=SENDER, active_loop="complaint_form", requested_slot="complaint_category"
    )
    assert await ActionReadRating().run(dispatcher, in_form, domain) == []
    for other in ("6", "cek status", "baik"):
        tracker = make_tracker(other, sender_id=SENDER)
        assert await ActionReadRating().run(dispatcher, tracker, domain) == [], other


async def test_a_reply_flag_left_from_an_earlier_turn_is_cleared(
    make_tracker, domain, dispatcher, fake_services
):
    tracker = make_tracker("halo", intent="greet", sender_id=SENDER, slots={"rating_reply": True})
    events = await ActionReadRating().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"rating_reply": None}


async def test_the_score_is_stored_and_then_the_reason_asked(
    make_tracker, domain, dispatcher, fake_services
):
    ask(fake_services)
    slots = {"rating_reply": True, "rating_ticket": NUMBER, "rating_score": 4}
    tracker = make_tracker("4", intent="ask_requirements", sender_id=SENDER, slots=slots)

    events = await ActionTakeRating().run(dispatcher, tracker, domain)

    assert fake_services.ratings == {NUMBER: 4}
    assert slot_events(events) == {"rating_reply": None}
    assert dispatcher.messages == []
    assert "Boleh ceritakan alasannya" in domain["responses"]["utter_ask_rating_reason"][0]["text"]


async def test_a_lapsed_question_is_told_and_the_conversation_waits(
    make_tracker, domain, dispatcher, fake_services
):
    slots = {"rating_reply": True, "rating_ticket": NUMBER, "rating_score": 4}
    tracker = make_tracker("4", sender_id=SENDER, slots=slots)

    events = await ActionTakeRating().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_rating_closed"]
    assert fake_services.ratings == {}
    assert FollowupAction("action_listen") in events
    assert slot_events(events)["rating_ticket"] is None


async def test_any_text_is_the_reason_and_lewati_gives_none(make_tracker, domain, dispatcher):
    form = ValidateRatingForm()
    for text, intent, reason in (
        ("Petugasnya cepat dan ramah", "file_complaint", "Petugasnya cepat dan ramah"),
        ("lewati", "deny", ""),
        ("batal", "cancel", ""),
    ):
        tracker = make_tracker(
            text,
            intent=intent,
            sender_id=SENDER,
            active_loop="rating_form",
            requested_slot="rating_reason",
        )
        events = await form.run(dispatcher, tracker, domain)
        assert slot_events(events).get("rating_reason") == reason, text


async def test_the_reason_is_stored_and_the_resident_thanked(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.ratings[NUMBER] = 4
    slots = {"rating_ticket": NUMBER, "rating_score": 4, "rating_reason": "Cepat ditangani"}
    tracker = make_tracker("Cepat ditangani", sender_id=SENDER, slots=slots)

    events = await ActionSubmitRating().run(dispatcher, tracker, domain)

    assert fake_services.reasons == {NUMBER: "Cepat ditangani"}
    assert responses(dispatcher) == ["utter_rating_thanks"]
    assert slot_events(events)["rating_ticket"] is None


async def test_a_skipped_reason_stores_nothing_but_still_thanks(
    make_tracker, domain, dispatcher, fake_services
):
    fake_services.ratings[NUMBER] = 4
    slots = {"rating_ticket": NUMBER, "rating_score": 4, "rating_reason": ""}
    tracker = make_tracker("lewati", sender_id=SENDER, slots=slots)

    await ActionSubmitRating().run(dispatcher, tracker, domain)

    assert fake_services.reasons == {}
    assert responses(dispatcher) == ["utter_rating_thanks"]
