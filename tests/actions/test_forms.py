"""The form base: failures explained, read answers refused; every reply and question exists."""

from __future__ import annotations

import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application import ValidateApplicationForm
from actions.complaint import ValidateComplaintForm
from actions.food_prices import ValidateFoodPriceForm
from actions.information import ValidateRequirementsForm
from actions.social_aid import ValidateSocialAidForm
from actions.status import ValidateStatusForm
from actions.tax import ValidateTaxForm
from bot.config import PROJECT_ROOT
from bot.domain.errors import InvalidNik
from bot.domain.model import TicketStatus


async def test_a_slot_is_explained_after_the_second_failure(make_tracker, domain):
    form = ValidateStatusForm()
    first = CollectingDispatcher()
    events = await form.run(first, make_tracker("halo", requested_slot="ticket_id"), domain)
    counts = next(e["value"] for e in events if e.get("name") == "failed_attempts")
    assert [m["response"] for m in first.messages] == ["utter_invalid_ticket_id"]
    second = CollectingDispatcher()
    tracker = make_tracker("apa", requested_slot="ticket_id", slots={"failed_attempts": counts})
    await form.run(second, tracker, domain)
    assert [m["response"] for m in second.messages] == [
        "utter_invalid_ticket_id",
        "utter_explain_ticket_id",
    ]


def test_every_response_the_actions_use_is_in_the_domain(domain):
    responses = set(domain["responses"])
    used: set[str] = set()
    for path in (PROJECT_ROOT / "actions").glob("*.py"):
        used |= set(re.findall(r'"(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    used |= {f"utter_status_next_{status.value}" for status in TicketStatus}
    used |= {f"utter_invalid_nik_{reason}" for reason in InvalidNik.REASONS}
    form_slots = {slot for form in domain["forms"].values() for slot in form["required_slots"]}
    used |= {f"utter_explain_{slot}" for slot in form_slots}
    assert sorted(used - responses) == []


# Forms whose answers readers check; the replies they refuse with are named at run time.
READ_FORMS = (
    ValidateApplicationForm,
    ValidateComplaintForm,
    ValidateFoodPriceForm,
    ValidateRequirementsForm,
    ValidateSocialAidForm,
    ValidateTaxForm,
)


@pytest.mark.parametrize(
    ("form", "slot"), [(form, slot) for form in READ_FORMS for slot in form.readers]
)
async def test_a_read_answer_is_refused_with_a_response_of_the_domain(
    make_tracker, domain, form, slot
):
    dispatcher = CollectingDispatcher()
    events = await form().run(dispatcher, make_tracker("???", requested_slot=slot), domain)
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}[slot] is None
    said = [m["response"] for m in dispatcher.messages]
    assert said and set(said) <= set(domain["responses"])


def test_every_form_slot_can_be_asked(domain):
    actions = set(domain["actions"]) | set(domain["responses"])
    for form, spec in domain["forms"].items():
        for slot in spec["required_slots"]:
            names = {
                f"action_ask_{form}_{slot}",
                f"utter_ask_{form}_{slot}",
                f"action_ask_{slot}",
                f"utter_ask_{slot}",
            }
            assert names & actions, f"{form} cannot ask {slot}"
