"""Handoff to a human officer: records the request with the recent conversation."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import identity_of, latest_text, services
from bot.domain.errors import TabikError

logger = logging.getLogger(__name__)

TRANSCRIPT_MESSAGES = 20  # about the last ten turns (a resident's message and the reply)


def transcript(
    events: list[dict[str, Any]], *, limit: int = TRANSCRIPT_MESSAGES
) -> list[dict[str, str]]:
    """The last messages as ``{"role": "user"|"bot", "text": ...}``, oldest first.

    Kept as typed: the handoff record is the system of record officers read. It
    is never logged.
    """
    lines: list[dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind in ("user", "bot") and text:
            lines.append({"role": kind, "text": str(text)})
    return lines[-limit:]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        identity = identity_of(tracker)
        try:
            receipt = await services().request_handoff(
                identity=identity,
                reason=latest_text(tracker) or None,
                transcript=transcript(tracker.events),
            )
        except (TabikError, OSError):
            logger.exception("handoff for %s not recorded", identity.masked())
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        dispatcher.utter_message(
            response="utter_handoff_office_hours"
            if receipt.within_office_hours
            else "utter_handoff_after_hours",
            reference=receipt.reference,
            office_hours=receipt.office_hours,
        )
        dispatcher.utter_message(response="utter_handoff_meanwhile")
        return []
