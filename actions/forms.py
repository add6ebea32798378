"""The one base of Tabik's form validators (financial-demo's ``custom_forms.py``).

Actions stay thin: they read the tracker, call one service function and utter
a response from ``domain.yml``; text a resident reads never lives in Python.
"""

from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from functools import partialmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import answers
from actions.choices import typed_number
from actions.tracker import entity_value, is_fresh_user_turn, latest_intent, latest_text

logger = logging.getLogger(__name__)

DRAFT_ID_SLOT = "draft_id"
FAILURES_SLOT = "failed_attempts"
# After this many failed answers for one slot, the slot is explained at length.
EXPLAIN_AFTER_FAILURES = 2

# Intents that interrupt a form instead of answering its question. A digression
# rule answers them and the form resumes; cancel and emergency end it.
INTERRUPTING_INTENTS = frozenset(
    {
        "cancel",
        "emergency",
        "help",
        "bot_challenge",
        "human_handoff",
        "ask_requirements",
        "ask_office_info",
        "check_status",
        # Side questions answered by actions/context.py (or, with "gak jadi", taken up).
        "ask_food_price",
        "check_tax",
        "check_social_aid",
    }
)
# In free-text answers (a description, a name) only a confident, short message
# is taken as a digression: "tolong jalan di depan rumah saya rusak…" is an answer.
_FREE_TEXT_DIGRESSION_CONFIDENCE = 0.85
_FREE_TEXT_DIGRESSION_MAX_CHARS = 40


class Rejected(Exception):
    """An answer a reader refuses, with the response (and its values) saying why."""

    def __init__(self, response: str, **values: Any) -> None:
        super().__init__(response)
        self.response = response
        self.values = values


# Reads a typed answer: its canonical value, or None when it answers nothing
# (refused with ``utter_invalid_<slot>``); raises Rejected to say more precisely why.
Reader = Callable[[str], Any]


class TabikFormValidator(FormValidationAction, ABC):
    """Base of every form validator (financial-demo's CustomFormValidationAction pattern).

    - counts failed answers per slot in the ``failed_attempts`` slot and, after
      two, explains the slot with ``utter_explain_<slot>``;
    - gives every draft an id (``draft_id``) used as the idempotency key;
    - extracts answers itself (slots use ``custom`` mappings): an entity in the
      message, or the raw text when that slot was asked; never from a message
      that interrupts the form (cancel, emergency, a digression).
    """

    # Slots whose answer is free text (see _FREE_TEXT_DIGRESSION_*).
    free_text_slots: ClassVar[frozenset[str]] = frozenset()
    # Intents that are normal answers in this form rather than digressions.
    own_intents: ClassVar[frozenset[str]] = frozenset()
    # Whether this form files something and so needs a draft id.
    needs_draft_id: ClassVar[bool] = False
    # Slots whose answer a Reader checks: ``validate_<slot>`` is bound to
    # :meth:`validate_reading` for each when the class is defined.
    readers: ClassVar[Mapping[str, Reader]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for slot, reader in cls.__dict__.get("readers", {}).items():
            validate = partialmethod(TabikFormValidator.validate_reading, slot, reader)
            setattr(cls, f"validate_{slot}", validate)

    @abstractmethod
    def name(self) -> str:
        """validate_<form name>"""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        validation = await self._extract_validation_events(dispatcher, tracker, domain)
        validated = {event["name"] for event in validation if event.get("event") == "slot"}
        # Side slots an extractor sets (coordinates, attachment info) are not
        # required slots, so the SDK would drop them; keep them.
        events = [event for event in extraction if event["name"] not in validated]
        # The draft id is set when the form starts (nothing asked yet). Setting it
        # later would count as an answer and keep "batal" from interrupting.
        starting = tracker.get_slot(REQUESTED_SLOT) is None
        if self.needs_draft_id and starting and not tracker.get_slot(DRAFT_ID_SLOT):
            events.append(SlotSet(DRAFT_ID_SLOT, uuid.uuid4().hex))
        return events + validation

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        # Always decided here, from required_slots(); the SDK would leave it to Rasa
        # (domain order) whenever the list happens to equal the domain's.
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        return SlotSet(REQUESTED_SLOT, missing)

    def fresh_turn(self, tracker: Tracker) -> bool:
        return is_fresh_user_turn(tracker, self.form_name())

    # -- interruptions ------------------------------------------------------

    def is_interruption(self, tracker: Tracker) -> bool:
        text = latest_text(tracker)
        if typed_number(text) is not None:
            return False
        intent, confidence = latest_intent(tracker)
        if intent not in INTERRUPTING_INTENTS or intent in self.own_intents:
            return False
        if intent == "emergency":
            return text.startswith("/") or answers.says_emergency(text)
        # The answer comes first: "Sidodadi" read as cancel is still a desa.
        if not text.startswith("/"):
            if intent == "cancel":
                return answers.says_cancel(text)
            if answers.is_short_answer(text):
                return answers.names_digression(intent, text)
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested in self.free_text_slots and not text.startswith("/"):
            return (
                confidence >= _FREE_TEXT_DIGRESSION_CONFIDENCE
                and len(text.strip()) <= _FREE_TEXT_DIGRESSION_MAX_CHARS
            )
        return True

    # -- extraction ---------------------------------------------------------

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """This turn's answers to the required slots, each from ``extract_<slot>`` if defined.

        A slot without such a method is answered by this turn's entity of its name
        or, when it was asked, by the raw text (:meth:`extract_answer`).
        """
        found: dict[str, Any] = {}
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        for slot in required:
            extract = getattr(self, f"extract_{slot}", None)
            if extract is not None:
                answer = extract(dispatcher, tracker, domain)
            else:
                answer = self.extract_answer(slot, tracker, entity=slot)
            found.update(answer)
            tracker.slots.update(answer)  # the next extractors see it
        return [SlotSet(slot, value) for slot, value in found.items()]

    def extract_answer(
        self, slot: str, tracker: Tracker, *, entity: str | None = None, free_text: bool = True
    ) -> dict[str, Any]:
        """``{slot: value}`` from this turn's entity or (when asked) its raw text, else ``{}``."""
        if not self.fresh_turn(tracker) or self.is_interruption(tracker):
            return {}
        requested = tracker.get_slot(REQUESTED_SLOT) == slot
        if entity is not None:
            value = entity_value(tracker, entity)
            if value is not None and (requested or tracker.get_slot(slot) is None):
                return {slot: value}
        if requested and free_text:
            # Raw text, or a button payload such as /affirm: the validator reads it.
            # A payload (a shared pin or photo, a menu button) never answers a
            # free-text question such as a description.
            text = latest_text(tracker).strip()
            if text and not (slot in self.free_text_slots and text.startswith("/")):
                return {slot: text}
        return {}

    # -- validation results -------------------------------------------------

    def failed(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str,
        **values: Any,
    ) -> dict[str, Any]:
        """Reject an answer with a specific response; explain the slot after repeated failures."""
        counts = dict(tracker.get_slot(FAILURES_SLOT) or {})
        counts[slot] = int(counts.get(slot, 0)) + 1
        dispatcher.utter_message(response=response, **values)
        if counts[slot] >= EXPLAIN_AFTER_FAILURES:
            dispatcher.utter_message(response=f"utter_explain_{slot}")
        logger.info("form %s: answer for %s rejected (%d)", self.form_name(), slot, counts[slot])
        return {slot: None, FAILURES_SLOT: counts}

    def validate_reading(
        self,
        slot: str,
        reader: Reader,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """``validate_<slot>`` of a slot in ``readers``: the reading, or the reader's refusal."""
        try:
            reading = reader(str(value or ""))
        except Rejected as refusal:
            return self.failed(slot, dispatcher, tracker, refusal.response, **refusal.values)
        if reading is None:
            return self.failed(slot, dispatcher, tracker, f"utter_invalid_{slot}")
        return self.accepted(slot, reading, tracker)

    def accepted(self, slot: str, value: Any, tracker: Tracker, **more: Any) -> dict[str, Any]:
        counts = dict(tracker.get_slot(FAILURES_SLOT) or {})
        result: dict[str, Any] = {slot: value, **more}
        if slot in counts:
            counts.pop(slot)
            result[FAILURES_SLOT] = counts
        return result
