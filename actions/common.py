"""Ending a form: cancelled by the resident ("batal") or ended by an emergency."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.application import APPLICATION_SLOTS
from actions.base import slot_resets
from actions.complaint import COMPLAINT_SLOTS
from actions.confirmation import cancelled
from actions.food_prices import FOOD_PRICE_SLOTS
from actions.rating import RATING_SLOTS
from actions.social_aid import SOCIAL_AID_SLOTS
from actions.status import STATUS_SLOTS
from actions.tax import TAX_SLOTS

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


class ActionCancelForm(Action):
    """After action_deactivate_loop: says nothing was filed and forgets the draft."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return cancelled(dispatcher, FORM_SLOTS)


class ActionEndForm(Action):
    """Forgets a form's answers without a word (the emergency answer was already given)."""

    def name(self) -> str:
        return "action_end_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return slot_resets(name for name in FORM_SLOTS if name != "kabupaten_kota")
