"""Two-stage fallback: offer the likely meanings as buttons before giving up.

Rasa's ``action_two_stage_fallback`` calls ``action_default_ask_affirmation``;
this override names the meanings in Indonesian (``utter_title_<intent>``
responses) instead of Rasa's English "Did you mean 'intent'?".
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

NLU_FALLBACK = "nlu_fallback"
MAX_SUGGESTIONS = 2


def suggested_intents(tracker: Tracker, domain: DomainDict) -> list[str]:
    """The best-ranked intents that have a title to show, most likely first."""
    responses = domain.get("responses") or {}
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    found: list[str] = []
    for entry in ranking:
        name = entry.get("name")
        if (
            name
            and name != NLU_FALLBACK
            and f"utter_title_{name}" in responses
            and name not in found
        ):
            found.append(name)
        if len(found) == MAX_SUGGESTIONS:
            break
    return found


class ActionDefaultAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intents = suggested_intents(tracker, domain)
        if not intents:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        responses = domain.get("responses") or {}
        buttons = [
            {"title": str(responses[f"utter_title_{name}"][0]["text"]), "payload": f"/{name}"}
            for name in intents
        ]
        buttons.append(
            {"title": str(responses["utter_title_none"][0]["text"]), "payload": "/out_of_scope"}
        )
        dispatcher.utter_message(response="utter_ask_affirm", buttons=buttons)
        return []
