"""Handoff to a human officer: records the request with the recent conversation, routes
it to the officers of the resident's area and pauses the bot until an officer closes it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import identity_of, latest_text
from bot.domain.errors import TabikError

if TYPE_CHECKING:
    from bot.services.handoff_desk import HandoffDesk

logger = logging.getLogger(__name__)

TRANSCRIPT_MESSAGES = 20  # about the last ten turns (a resident's message and the reply)


def _default_desk() -> HandoffDesk:
    from bot.bootstrap import handoff_desk

    return handoff_desk()


_desk_factory: Callable[[], Any] = _default_desk


def set_desk_factory(factory: Callable[[], Any]) -> Callable[[], Any]:
    """Swap the handoff desk provider (tests); returns the previous one to restore."""
    global _desk_factory
    previous = _desk_factory
    _desk_factory = factory
    return previous


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
            opened = await _desk_factory().open(
                identity=identity,
                reason=latest_text(tracker) or None,
                transcript=transcript(tracker.events),
            )
        except (TabikError, OSError):
            logger.exception("handoff for %s not recorded", identity.masked())
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        if opened.within_office_hours:
            dispatcher.utter_message(
                response="utter_handoff_office_hours", reference=opened.reference
            )
        else:
            dispatcher.utter_message(
                response="utter_handoff_after_hours",
                reference=opened.reference,
                office_hours=opened.office_hours,
                next_opening=opened.next_opening,
            )
        dispatcher.utter_message(response="utter_handoff_meanwhile")
        # Paused, Rasa keeps the resident's messages for the officer and predicts
        # nothing: the bot stays silent until the console resumes the conversation.
        return [ConversationPaused()]
