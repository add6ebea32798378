"""Social aid (bansos) by NIK: registered or not, and the programme names only."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fields import read_nik
from actions.formatting import display_date
from actions.forms import FAILURES_SLOT, TabikFormValidator
from actions.public_data import PublicDataAction
from actions.services import services
from actions.tracker import remember

SOCIAL_AID_SLOTS = ("nik", FAILURES_SLOT, "requested_slot")


class ValidateSocialAidForm(TabikFormValidator):
    own_intents = frozenset({"check_social_aid"})
    readers = {"nik": read_nik}

    def name(self) -> str:
        return "validate_social_aid_form"


class ActionCheckSocialAid(PublicDataAction):
    slots = SOCIAL_AID_SLOTS
    unavailable_response = "utter_upstream_down_social_aid"
    intent = "check_social_aid"

    def name(self) -> str:
        return "action_check_social_aid"

    def remembered(self, tracker: Tracker) -> EventType | None:
        # The NIK itself is never kept: a follow-up names the next one.
        return remember("social_aid")

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> None:
        status = await services().social_aid(str(tracker.get_slot("nik") or ""))
        checked = display_date(status.checked_at)
        if status.registered and status.programmes:
            dispatcher.utter_message(
                response="utter_social_aid_registered",
                programmes="\n".join(f"• {name}" for name in status.programmes),
                checked_at=checked,
                source=status.source,
            )
        else:
            dispatcher.utter_message(
                response="utter_social_aid_not_registered", checked_at=checked, source=status.source
            )
        if status.is_demo:
            dispatcher.utter_message(response="utter_demo_data")
