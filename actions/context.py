"""Answers that depend on the conversation so far: follow-ups, everyday messages, side questions.

* ``action_read_context`` is the custom mapping of the ``context_reply`` slot, so
  Rasa runs it after every message (``action_extract_slots``), as rating does.
  Outside a form it sets ``context_reply`` when the message is a follow-up of the
  service answered last (``last_answer``), an everyday message (an emoji, a
  thank-you, an insult, "sabtu buka?") or "mau ajuin sekarang" right after the
  requirements of a document. A rule then runs ``action_answer_in_context``
  instead of whatever the NLU made of the message alone (rules/context.yml).
* ``action_side_answer`` answers a price, tax or social-aid question asked in the
  middle of another form, and the form asks its question again; with a change
  of mind ("udah lah gak jadi, mau tanya harga aja") it ends the form and
  starts the new request.

The readings themselves are plain rules in :mod:`bot.domain.conversation`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import answers
from actions.confirmation import cancelled
from actions.fields import read_nik
from actions.food_prices import ActionFoodPrice
from actions.form_endings import FORM_OF_INTENT, FORM_SLOTS
from actions.forms import Rejected
from actions.information import ActionOfficeInfo, ActionRequirements
from actions.services import services
from actions.social_aid import ActionCheckSocialAid
from actions.tax import ActionCheckTax, read_tax_plate
from actions.tracker import LAST_ANSWER_SLOT, latest_intent, latest_text
from bot.domain import vocabulary
from bot.domain.conversation import (
    Everyday,
    FollowUp,
    LastAnswer,
    asks_to_apply,
    day_asked,
    read_everyday,
    read_follow_up,
    requested_services,
)
from bot.domain.errors import NotConfigured
from bot.domain.office_hours import WIB
from bot.domain.vocabulary import load_yaml

logger = logging.getLogger(__name__)

REPLY_SLOT = "context_reply"

# Intents whose message may be a follow-up: what the NLU makes of "kalo cabe?"
# alone. Emergencies, cancel, handoff, complaints and status keep their meaning.
FOLLOW_UP_INTENTS = frozenset(
    {"inform", "ask_food_price", "check_tax", "check_social_aid", "ask_requirements",
     "ask_office_info", "out_of_scope", "nlu_fallback", "greet", "goodbye", "thanks",
     "affirm", "deny", "help", "bot_challenge"}
)  # fmt: skip
# Intents that ask a service: a message naming one is no insult to answer calmly.
_SERVICE_INTENTS = frozenset(
    {"file_complaint", "apply_service", "check_status", "ask_requirements", "ask_office_info",
     "check_tax", "check_social_aid", "ask_food_price", "human_handoff", "emergency"}
)  # fmt: skip
_RESPONSES = {
    Everyday.THANKS: "utter_thanks",
    Everyday.SYMPATHY: "utter_sympathy",
    Everyday.AFFIRM: "utter_anything_else",
    Everyday.INSULT: "utter_insult_calm",
}
# A service answered again by running its own action with the new values.
_SERVICE_ACTIONS: dict[str, type[Action]] = {
    "food_price": ActionFoodPrice,
    "tax": ActionCheckTax,
    "social_aid": ActionCheckSocialAid,
    "requirements": ActionRequirements,
    "offices": ActionOfficeInfo,
}
# The reader that checks a value a follow-up changes before the service is asked.
_READERS = {"plate_number": read_tax_plate, "nik": read_nik}


def _today() -> datetime:
    return datetime.now(WIB)


Reading = Everyday | FollowUp | str


def reading(tracker: Tracker) -> Reading | None:
    """What this message means in context: an everyday meaning, a follow-up, or a document
    to apply for (a ``str``); None when the NLU's own meaning stands."""
    if tracker.active_loop_name:
        return None
    intent, _ = latest_intent(tracker)
    text = latest_text(tracker)
    last = LastAnswer.from_slot(tracker.get_slot(LAST_ANSWER_SLOT))
    if intent == "apply_service":
        return asks_to_apply(last, text, intent)
    if intent not in FOLLOW_UP_INTENTS and intent not in _SERVICE_INTENTS:
        return None
    if intent == "emergency" or answers.says_cancel(text):
        return None
    everyday = read_everyday(text, today=_today().date())
    if everyday is Everyday.INSULT and (intent in _SERVICE_INTENTS or requested_services(text)):
        everyday = None  # "jalan rusak gak dibenerin, goblok": the complaint comes first
    if everyday is Everyday.OFFICE_DAY and intent not in FOLLOW_UP_INTENTS:
        everyday = None
    if everyday is not None:
        return everyday
    if intent not in FOLLOW_UP_INTENTS:
        return None
    entities = (tracker.latest_message or {}).get("entities") or []
    return read_follow_up(last, text, entities)


class ActionReadContext(Action):
    """Says whether this message is answered from the context (sets one slot only)."""

    def name(self) -> str:
        return "action_read_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = []
        if tracker.get_slot(REPLY_SLOT):
            events.append(SlotSet(REPLY_SLOT, None))  # left over from a turn no rule took
        if reading(tracker) is not None:
            events = [SlotSet(REPLY_SLOT, True)]
        return events


class ActionAnswerInContext(Action):
    def name(self) -> str:
        return "action_answer_in_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done: list[EventType] = [SlotSet(REPLY_SLOT, None)]
        found = reading(tracker)
        if isinstance(found, FollowUp):
            return done + await follow_up(found, dispatcher, tracker, domain)
        if found is Everyday.OFFICE_DAY:
            office_day(dispatcher, tracker)
        elif isinstance(found, Everyday):
            dispatcher.utter_message(response=_RESPONSES[found], buttons=_buttons(found, domain))
        elif isinstance(found, str):
            # The application form starts next (rule) with the document filled.
            return [*done, SlotSet("document_type", found)]
        else:
            dispatcher.utter_message(response="utter_anything_else")
        return done


def _buttons(found: Everyday, domain: DomainDict) -> list[dict[str, str]]:
    if found not in (Everyday.INSULT, Everyday.SYMPATHY):
        return []
    titles = domain.get("responses") or {}
    offered = ["human_handoff"] if found is Everyday.INSULT else ["help", "human_handoff"]
    return [
        {"title": str(titles[f"utter_title_{name}"][0]["text"]), "payload": f"/{name}"}
        for name in offered
    ]


async def follow_up(
    found: FollowUp, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """Run the service answered last again, with the follow-up's values in its slots."""
    values: dict[str, Any] = dict(found.values)
    for slot, reader in _READERS.items():
        if slot in values:
            try:
                read = reader(str(values[slot]))
            except Rejected as refusal:
                dispatcher.utter_message(response=refusal.response, **refusal.values)
                return []
            if read is None:
                dispatcher.utter_message(response=f"utter_invalid_{slot}")
                return []
            values[slot] = read
    asked = tracker.copy()
    asked.slots.update(values)
    logger.info("follow-up of %s: %s changed", found.service, ", ".join(sorted(values)))
    return list(await _SERVICE_ACTIONS[found.service]().run(dispatcher, asked, domain))


def office_day(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """ "sabtu buka?": yes with that day's hours, or no with the week's, from the one schedule."""
    today = _today()
    weekday = day_asked(latest_text(tracker), today=today.date())
    try:
        schedule = services().office_hours()
    except NotConfigured:
        logger.error("office hours asked but the knowledge base is not configured")
        dispatcher.utter_message(response="utter_information_unavailable")
        return
    if weekday is None:
        dispatcher.utter_message(response="utter_anything_else")
        return
    day = str(load_yaml("everyday.yml")["weekdays"][weekday][0]).title()
    rows = [row for row in schedule.rows if weekday in row.weekdays]
    if rows:
        dispatcher.utter_message(
            response="utter_office_day_open", day=day, hours=", ".join(r.hours for r in rows)
        )
    else:
        dispatcher.utter_message(
            response="utter_office_day_closed", day=day, schedule=schedule.describe()
        )


# ---------------------------------------------------------------------------
# Side questions inside a form
# ---------------------------------------------------------------------------

# The value a side question must carry to be answered at once, by intent.
_SIDE_VALUES = {
    "ask_food_price": ("food_price", "commodity"),
    "check_tax": ("tax", "plate_number"),
    "check_social_aid": ("social_aid", "nik"),
}


class ActionSideAnswer(Action):
    """A price, tax or social-aid question in the middle of a form (rules/digressions.yml)."""

    def name(self) -> str:
        return "action_side_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, _ = latest_intent(tracker)
        text = latest_text(tracker)
        if answers.says_cancel(text) and intent in FORM_OF_INTENT:
            # A change of mind: the form ends (nothing filed) and the new request starts.
            return [
                ActiveLoop(None),
                SlotSet(REQUESTED_SLOT, None),
                *cancelled(dispatcher, FORM_SLOTS),
                FollowupAction(FORM_OF_INTENT[intent]),
            ]
        service, slot = _SIDE_VALUES.get(intent or "", ("", ""))
        value = _side_value(tracker, slot)
        if not service or value is None:
            dispatcher.utter_message(response="utter_side_question_later")
            return []
        # Answered with the service's own action; its slot changes are not kept,
        # so the form's answers (the kabupaten/kota among them) stay as they were.
        await follow_up(FollowUp(service, {slot: value}), dispatcher, tracker, domain)
        return []


def _side_value(tracker: Tracker, slot: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == slot and entity.get("value"):
            value = str(entity["value"])
            if slot == "commodity" and value not in vocabulary.values("commodity"):
                return None
            return value
    return None
