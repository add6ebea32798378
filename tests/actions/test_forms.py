"""Shared helpers: rupiah, dates, choices, and the domain having every response actions use."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.application import ValidateApplicationForm
from actions.choices import resolve_choice
from actions.complaint import ValidateComplaintForm
from actions.food_prices import ValidateFoodPriceForm
from actions.formatting import display_date, rupiah
from actions.information import ValidateRequirementsForm
from actions.social_aid import ValidateSocialAidForm
from actions.status import ValidateStatusForm
from actions.tax import ValidateTaxForm
from bot.config import PROJECT_ROOT
from bot.domain.errors import InvalidNik
from bot.domain.model import TicketStatus


def test_rupiah_uses_dots_and_no_decimals():
    assert rupiah(1234500) == "Rp1.234.500"
    assert rupiah(0) == "Rp0"


def test_dates_are_shown_in_wib():
    assert display_date(date(2027, 1, 5)) == "05/01/2027"
    assert (
        display_date(datetime(2026, 11, 28, 17, 30, tzinfo=timezone.utc)) == "29/11/2026 00.30 WIB"
    )


def test_choices_read_numbers_names_and_aliases():
    assert resolve_choice("kabupaten_kota", "3") == "Lampung Selatan"
    assert resolve_choice("kabupaten_kota", "lamsel") == "Lampung Selatan"
    assert resolve_choice("complaint_category", "99") is None
    assert resolve_choice("document_type", "akte lahir") == "akta_kelahiran"


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


def _events(*kinds: tuple[str, str | None]) -> list[dict]:
    return [{"event": kind, "name": name} for kind, name in kinds]


def test_a_fresh_answer_is_told_from_a_resumed_form(make_tracker):
    from actions.tracker import is_fresh_user_turn

    # What Rasa sends the validator: the form's own execution appended last.
    fresh = make_tracker(
        events=_events(
            ("action", "action_listen"),
            ("user", None),
            ("slot", "requested_slot"),
            ("action", "complaint_form"),
        ),
        latest_action="complaint_form",
    )
    resumed = make_tracker(
        events=_events(
            ("user", None),
            ("action", "complaint_form"),
            ("action_execution_rejected", None),
            ("action", "action_requirements"),
            ("bot", None),
            ("action", "complaint_form"),
        ),
        latest_action="complaint_form",
    )
    assert is_fresh_user_turn(fresh, "complaint_form") is True
    assert is_fresh_user_turn(resumed, "complaint_form") is False
