"""Handoff to a human officer: records the request with the recent conversation and
routes it to the officers of the resident's area; while it is open, every message of
the resident goes to the officer (``action_handoff_message``) and the bot says
little: 112 for an emergency, an acknowledgement now and then, never silence for a
resident left waiting, nothing while an officer is replying."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers
from actions.services import handoff_desk
from actions.tracker import identity_of, latest_intent, latest_text
from bot.domain.errors import HandoffLimitReached, TabikError
from bot.services.handoff_desk import HandoffNotFound, TurnReply

logger = logging.getLogger(__name__)

TRANSCRIPT_MESSAGES = 20  # about the last ten turns (a resident's message and the reply)
HANDOFF_SLOT = "handoff_reference"
ACKNOWLEDGED_SLOT = "handoff_acknowledged_at"
# "kembali ke bot" read as cancel this surely leaves; below it, a cancel word must be
# there. Leaving by mistake costs little: the reply says how to ask for an officer again.
LEAVE_CONFIDENCE = 0.8


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
            opened = await handoff_desk().open(
                identity=identity,
                reason=latest_text(tracker) or None,
                transcript=transcript(tracker.events),
            )
        except HandoffLimitReached as error:
            dispatcher.utter_message(response="utter_handoff_limit", limit=error.limit)
            return []
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
        # Not a pause: with the slot set, the policy sends every later message to
        # action_handoff_message, so an emergency still gets 112 (docs/console.md).
        # Nothing acknowledged yet: the resident's first message to the officer hears
        # that it was passed on (then at most one acknowledgement per interval).
        return [SlotSet(HANDOFF_SLOT, opened.reference), SlotSet(ACKNOWLEDGED_SLOT, None)]


def _this_turn(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events after the resident's latest message."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index + 1 :]
    return []


def wants_to_leave(tracker: Tracker) -> bool:
    """ "batal", "kembali ke bot" or the button: back to the bot. "tidak" is no such thing:
    it may answer the officer's question."""
    intent, confidence = latest_intent(tracker)
    if intent != "cancel":
        return False
    text = latest_text(tracker)
    return text.startswith("/cancel") or confidence >= LEAVE_CONFIDENCE or answers.says_cancel(text)


class ActionHandoffMessage(Action):
    """A resident's message while a handoff is open (the policy runs it for every one)."""

    def name(self) -> str:
        return "action_handoff_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = str(tracker.get_slot(HANDOFF_SLOT) or "")
        identity = identity_of(tracker)
        turn = _this_turn(tracker.events)
        emergency = any(e.get("name") == "action_emergency" for e in turn)
        said = [str(e["text"]) for e in turn if e.get("event") == "bot" and e.get("text")]
        stamp = tracker.get_slot(ACKNOWLEDGED_SLOT)
        acknowledged_at = (
            datetime.fromtimestamp(float(stamp), timezone.utc) if stamp is not None else None
        )
        try:
            result = await handoff_desk().resident_message(
                identity=identity,
                reference=reference,
                text=latest_text(tracker),
                bot_lines=said,
                emergency=emergency,
                leaving=wants_to_leave(tracker),
                acknowledged_at=acknowledged_at,
            )
        except HandoffNotFound:
            # Not this resident's (or gone): the bot answers again rather than stay silent.
            logger.warning("handoff %s of %s not found", reference, identity.masked())
            dispatcher.utter_message(response="utter_handoff_ended")
            return [SlotSet(HANDOFF_SLOT, None), SlotSet(ACKNOWLEDGED_SLOT, None)]
        except Exception:  # whatever failed, the resident must hear something
            logger.exception("message to handoff %s not kept", reference)
            if not emergency:
                dispatcher.utter_message(response="utter_handoff_not_forwarded")
            return []
        if result.reply is TurnReply.EMERGENCY:
            # "also passed on to the officer": the resident has heard it, as an acknowledgement.
            dispatcher.utter_message(response="utter_handoff_emergency_noted")
            return [SlotSet(ACKNOWLEDGED_SLOT, time.time())]
        if result.reply in (TurnReply.LEFT, TurnReply.ENDED):
            response = (
                "utter_handoff_left" if result.reply is TurnReply.LEFT else "utter_handoff_ended"
            )
            dispatcher.utter_message(response=response)
            return [SlotSet(HANDOFF_SLOT, None), SlotSet(ACKNOWLEDGED_SLOT, None)]
        if result.reply is TurnReply.ACKNOWLEDGE:
            if result.within_office_hours:
                dispatcher.utter_message(response="utter_handoff_waiting", reference=reference)
            else:
                dispatcher.utter_message(
                    response="utter_handoff_waiting_after_hours",
                    reference=reference,
                    next_opening=result.next_opening,
                )
            return [SlotSet(ACKNOWLEDGED_SLOT, time.time())]
        return []  # an officer is replying, or the resident was told a moment ago
