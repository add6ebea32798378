"""Emergency: 112 first, before any question; then the local numbers when the place is known."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import entity_value, services
from bot.domain import vocabulary

logger = logging.getLogger(__name__)

EMERGENCY_112 = "112"


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
            knowledge = services().knowledge
            contacts = knowledge.emergency_numbers(region) if knowledge is not None else []
        except Exception:  # the resident already has 112; an operator must see why the rest failed
            logger.exception("emergency numbers unavailable")
            contacts = []
        others = [c for c in contacts if c.number != EMERGENCY_112]
        local = [c for c in others if getattr(c, "kabupaten_kota", None)]
        national = [c for c in others if not getattr(c, "kabupaten_kota", None)]
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
