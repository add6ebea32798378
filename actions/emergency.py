"""Emergency: 112 first, before any question; then the local numbers when the place is known."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import services
from actions.tracker import entity_value
from bot.domain import vocabulary
from bot.services.views import EmergencyNumbers

logger = logging.getLogger(__name__)


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Said before anything can fail: the knowledge base is not needed for 112.
        dispatcher.utter_message(response="utter_emergency_112")
        region = entity_value(tracker, "kabupaten_kota") or tracker.get_slot("kabupaten_kota")
        if region not in vocabulary.values("kabupaten_kota"):
            region = None
        try:
            numbers = services().emergency_numbers(region)
        except Exception:  # the resident already has 112; an operator must see why the rest failed
            logger.exception("emergency numbers unavailable")
            numbers = EmergencyNumbers(local=(), national=())
        local, national = numbers.local, numbers.national
        if local and region:
            dispatcher.utter_message(
                response="utter_emergency_local",
                region=vocabulary.label("kabupaten_kota", region),
                numbers="\n".join(f"• {c.name}: {c.number}" for c in local),
            )
        if national:
            dispatcher.utter_message(
                response="utter_emergency_national",
                numbers="\n".join(f"• {c.name}: {c.number}" for c in national),
            )
        dispatcher.utter_message(response="utter_emergency_after")
        return []
