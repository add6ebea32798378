"""Two-stage fallback: the likely meanings offered as Indonesian buttons."""

from __future__ import annotations

from actions.fallback import ActionDefaultAskAffirmation
from tests.auxil.actions import message, responses


async def test_the_two_likeliest_meanings_are_offered(make_tracker, domain, dispatcher):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "check_status", "confidence": 0.40},
        {"name": "greet", "confidence": 0.2},
        {"name": "ask_requirements", "confidence": 0.3},
    ]
    tracker = make_tracker("ktp sy gmn", intent="nlu_fallback", ranking=ranking)
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, domain)
    buttons = message(dispatcher, "utter_ask_affirm")["buttons"]
    assert [b["payload"] for b in buttons] == [
        "/check_status",
        "/ask_requirements",
        "/out_of_scope",
    ]
    assert buttons[0]["title"] == "Cek status tiket"


async def test_without_likely_meanings_it_asks_to_rephrase(make_tracker, domain, dispatcher):
    tracker = make_tracker(
        "???", intent="nlu_fallback", ranking=[{"name": "greet", "confidence": 0.3}]
    )
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ask_rephrase"]
