"""A complaint beyond the chat account's daily limit: a polite refusal, nothing kept to retry."""

from __future__ import annotations

from actions.complaint_filing import ActionSubmitComplaint
from bot.domain.errors import DailyLimitReached
from tests.actions.test_complaint import FILLED
from tests.auxil.actions import message, responses, slot_events


async def test_a_complaint_over_the_daily_limit_is_refused_politely(
    answer_summary, dispatcher, fake_services, domain
):
    fake_services.fail_filing = DailyLimitReached(what="complaints", limit=10)
    events = await answer_summary(ActionSubmitComplaint(), FILLED, complaint_confirmed="ya")
    assert responses(dispatcher) == ["utter_complaint_daily_limit"]
    assert message(dispatcher, "utter_complaint_daily_limit")["limit"] == 10
    # Not asked again (that would loop until midnight): the form's answers are let go.
    assert all(value is None for value in slot_events(events).values())
    assert not any(e["event"] == "followup" for e in events)
    text = domain["responses"]["utter_complaint_daily_limit"][0]["text"]
    assert "{limit}" in text and "besok" in text
