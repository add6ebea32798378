"""Ending a form: cancelled by the resident ("batal") or ended by an emergency."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.application import APPLICATION_SLOTS
from actions.complaint import COMPLAINT_SLOTS
from actions.confirmation import cancelled
from actions.food_prices import FOOD_PRICE_SLOTS
from actions.rating import RATING_SLOTS
from actions.social_aid import SOCIAL_AID_SLOTS
from actions.status import STATUS_SLOTS
from actions.tax import TAX_SLOTS
from actions.tracker import latest_text, slot_resets
from bot.domain.conversation import requested_services

FORM_SLOTS = tuple(
    dict.fromkeys(
        (
            *COMPLAINT_SLOTS,
            *APPLICATION_SLOTS,
            *STATUS_SLOTS,
            *TAX_SLOTS,
            *SOCIAL_AID_SLOTS,
            *FOOD_PRICE_SLOTS,
            *RATING_SLOTS,
        )
    )
)


# What starts each service a resident may ask for instead ("gak jadi, mau tanya harga aja").
FORM_OF_INTENT = {
    "ask_food_price": "food_price_form",
    "check_tax": "tax_form",
    "check_social_aid": "social_aid_form",
    "ask_requirements": "requirements_form",
    "ask_office_info": "office_form",
    "check_status": "status_form",
    "file_complaint": "complaint_form",
    "apply_service": "application_form",
    "human_handoff": "action_handoff",
}


def ended_form(tracker: Tracker) -> str | None:
    """The form that was active last (action_deactivate_loop has just ended it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def instead(tracker: Tracker) -> str | None:
    """The form (or action) of another request named beside the cancel, if any."""
    ended = ended_form(tracker)
    for intent in requested_services(latest_text(tracker)):
        target = FORM_OF_INTENT.get(intent)
        if target is not None and target != ended:
            return target
    return None


class ActionCancelForm(Action):
    """After action_deactivate_loop: says nothing was filed and forgets the draft.

    A change of mind that names another request ("udah lah gak jadi, mau tanya
    harga aja") then starts that request.
    """

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = cancelled(dispatcher, FORM_SLOTS)
        target = instead(tracker)
        return [*events, FollowupAction(target)] if target else events


class ActionEndForm(Action):
    """Forgets a form's answers without a word (the emergency answer was already given)."""

    def name(self) -> str:
        return "action_end_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return slot_resets(name for name in FORM_SLOTS if name != "kabupaten_kota")
