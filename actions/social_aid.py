"""Social aid (bansos) by NIK: registered or not, and the programme names only."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import FAILURES_SLOT, display_date, services, slot_resets
from actions.fields import NikField
from bot.domain.errors import UpstreamError

logger = logging.getLogger(__name__)

SOCIAL_AID_SLOTS = ("nik", FAILURES_SLOT, "requested_slot")


class ValidateSocialAidForm(NikField):
    own_intents = frozenset({"check_social_aid"})

    def name(self) -> str:
        return "validate_social_aid_form"


class ActionCheckSocialAid(Action):
    def name(self) -> str:
        return "action_check_social_aid"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        nik = str(tracker.get_slot("nik") or "")
        try:
            status = await services().social_aid(nik)
        except UpstreamError as error:
            logger.error("social aid lookup failed: %s (status %s)", error.reason, error.status)
            dispatcher.utter_message(response="utter_upstream_down_social_aid")
            return slot_resets(SOCIAL_AID_SLOTS)
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
        return slot_resets(SOCIAL_AID_SLOTS)
