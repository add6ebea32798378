"""Rating the handling of a ticket after ``selesai``.

The ``selesai`` status change queues the question behind its notice and records it as
pending for the chat. Here:

* ``action_read_rating`` is the custom mapping of the ``rating_reply`` slot, so
  Rasa runs it after every message (``action_extract_slots``). Outside a form, an
  answer that reads as a score ("4", a tapped button, "lima") while a question is
  pending sets ``rating_reply``; a rule then runs ``action_take_rating`` instead of
  the main-menu meaning the NLU gave the bare number. Only such answers cost a
  database look-up.
* ``action_take_rating`` stores the score; ``rating_form`` asks for a reason
  (free text, or "lewati"); ``action_submit_rating`` stores it and thanks.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import answers
from actions.choices import is_skip
from actions.forms import TabikFormValidator
from actions.services import services
from actions.tracker import ACTION_LISTEN, identity_of, latest_intent, latest_text, slot_resets
from bot.domain.errors import RatingNotPending, TabikError
from bot.domain.ratings import read_score

logger = logging.getLogger(__name__)

REPLY_SLOT = "rating_reply"
TICKET_SLOT = "rating_ticket"
SCORE_SLOT = "rating_score"
REASON_SLOT = "rating_reason"
RATING_SLOTS = (REPLY_SLOT, TICKET_SLOT, SCORE_SLOT, REASON_SLOT)


class ActionReadRating(Action):
    """Says whether this message answers a pending rating question (sets slots only)."""

    def name(self) -> str:
        return "action_read_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # Left over from a turn where no rule took it (the answer was something else).
        events: list[EventType] = []
        if tracker.get_slot(REPLY_SLOT):
            events.append(SlotSet(REPLY_SLOT, None))
        if tracker.active_loop_name:
            # Inside a form a number answers the form's own question.
            return events
        score = read_score(latest_text(tracker))
        if score is None:
            return events
        identity = identity_of(tracker)
        try:
            pending = await services().pending_rating(identity)
        except (TabikError, OSError):
            # The menu meaning stands; the resident is never left without an answer.
            logger.exception("could not read the pending rating of %s", identity.masked())
            return events
        if pending is None:
            return events
        return [
            SlotSet(REPLY_SLOT, True),
            SlotSet(TICKET_SLOT, pending.number),
            SlotSet(SCORE_SLOT, score),
        ]


class ActionTakeRating(Action):
    """Stores the score; the rule goes on to ``rating_form`` for the reason."""

    def name(self) -> str:
        return "action_take_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = str(tracker.get_slot(TICKET_SLOT) or "")
        score = int(tracker.get_slot(SCORE_SLOT) or 0)
        identity = identity_of(tracker)
        try:
            await services().rate_ticket(number, score, identity=identity)
        except (RatingNotPending, ValueError) as error:
            logger.info("rating of %s by %s not taken: %s", number, identity.masked(), error)
            dispatcher.utter_message(response="utter_rating_closed")
            return [*slot_resets(RATING_SLOTS), FollowupAction(ACTION_LISTEN)]
        return [SlotSet(REPLY_SLOT, None)]


class ValidateRatingForm(TabikFormValidator):
    """The reason: any text is one; "lewati", "tidak", "batal" mean none."""

    free_text_slots = frozenset({REASON_SLOT})

    def name(self) -> str:
        return "validate_rating_form"

    def is_interruption(self, tracker: Tracker) -> bool:
        # Only an emergency interrupts (its rule ends the form); "batal" skips the reason.
        intent, _ = latest_intent(tracker)
        text = latest_text(tracker)
        return intent == "emergency" and (text.startswith("/") or answers.says_emergency(text))

    def validate_rating_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        intent, _ = latest_intent(tracker)
        if (intent == "cancel" and answers.says_cancel(text)) or is_skip(tracker, text):
            # Filled with "" so the form ends: the resident chose to give no reason.
            return {REASON_SLOT: ""}
        return {REASON_SLOT: text}


class ActionSubmitRating(Action):
    """Stores the reason when one was given, thanks the resident, forgets the slots."""

    def name(self) -> str:
        return "action_submit_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await self.store_reason(tracker)
        dispatcher.utter_message(response="utter_rating_thanks")
        return [*slot_resets(RATING_SLOTS), SlotSet(REQUESTED_SLOT, None)]

    @staticmethod
    async def store_reason(tracker: Tracker) -> None:
        number = str(tracker.get_slot(TICKET_SLOT) or "")
        reason = str(tracker.get_slot(REASON_SLOT) or "").strip()
        if not (number and reason):
            return
        try:
            await services().explain_rating(number, reason, identity=identity_of(tracker))
        except RatingNotPending as error:
            # The score is stored; a lost reason is logged, not told.
            logger.warning("reason for %s not stored: %s", number, error)
