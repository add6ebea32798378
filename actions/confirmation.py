"""Forms that end on a summary to confirm: 1 Ya, kirim / 2 Ubah / 3 Batal.

"Ubah" asks which answer to change (``edit_field``), clears that answer and
the confirmation, and the form asks them again. A form declares its questions,
its confirm slot and its numbered editable fields; the required slots and the
validation here are the same for every such form.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import typed_number, yes_no
from actions.forms import TabikFormValidator
from actions.tracker import latest_intent, slot_resets
from bot.domain import vocabulary

CONFIRMED, DECLINED, EDIT = "ya", "tidak", "ubah"
EDIT_REQUESTED_SLOT = "edit_requested"
EDIT_FIELD_SLOT = "edit_field"
# Slots every confirmed form uses besides its own confirm slot.
CONFIRMATION_SLOTS = (EDIT_REQUESTED_SLOT, EDIT_FIELD_SLOT)

_CONFIRM_EDIT_WORDS = frozenset({"ubah", "edit", "ganti", "perbaiki", "koreksi", "revisi"})


@dataclass(frozen=True)
class EditField:
    """An answer "ubah" can change: the slots it clears and the words that name it."""

    slots: tuple[str, ...]
    words: Collection[str]


def read_confirmation(tracker: Tracker, value: Any) -> str | None:
    """1 Ya, kirim / 2 Ubah / 3 Batal, or the words and buttons for them."""
    text = str(value or "")
    if value in (CONFIRMED, DECLINED):
        return str(value)
    number = typed_number(text)
    if number is not None:
        return {1: CONFIRMED, 2: EDIT, 3: DECLINED}.get(number)
    if set(vocabulary.normalise_key(text).split()) & _CONFIRM_EDIT_WORDS:
        return EDIT
    intent, _ = latest_intent(tracker)
    if intent == "cancel":
        return DECLINED
    answer = yes_no(tracker, text)
    if answer is None:
        return None
    return CONFIRMED if answer else DECLINED


class ConfirmedForm(TabikFormValidator):
    """Validator mixin for a form whose last question is its summary.

    A subclass declares its ``questions``, ``confirm_slot`` (``<form>_confirmed``)
    and ``edit_fields`` (in the order its ``utter_ask_..._edit_field`` numbers
    them). The SDK finds validators by name, so ``validate_<confirm_slot>`` is
    bound to the shared method when the subclass is defined. A confirmed form
    files something: its draft id is the idempotency key.
    """

    needs_draft_id = True
    confirm_slot: ClassVar[str] = ""
    edit_fields: ClassVar[tuple[EditField, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        slot = cls.__dict__.get("confirm_slot")
        if slot:
            setattr(cls, f"validate_{slot}", ConfirmedForm.validate_confirmation)

    @abstractmethod
    def questions(self, tracker: Tracker) -> list[str]:
        """The slots asked before the summary, in order."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The questions, the field to change (after "ubah"), then the summary."""
        if tracker.get_slot(EDIT_REQUESTED_SLOT):
            return [*self.questions(tracker), EDIT_FIELD_SLOT, self.confirm_slot]
        return [*self.questions(tracker), self.confirm_slot]

    def validate_edit_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        number = typed_number(text)
        if number is None:
            words = vocabulary.normalise_key(text).split()
            number = next(
                (
                    position
                    for word in words
                    for position, field in enumerate(self.edit_fields, start=1)
                    if word in field.words
                ),
                None,
            )
        if number is None or not 1 <= number <= len(self.edit_fields):
            return self.failed(EDIT_FIELD_SLOT, dispatcher, tracker, "utter_invalid_edit_field")
        cleared = {
            EDIT_REQUESTED_SLOT: None,
            self.confirm_slot: None,
            **dict.fromkeys(self.edit_fields[number - 1].slots),
        }
        return self.accepted(EDIT_FIELD_SLOT, None, tracker, **cleared)

    def validate_confirmation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = read_confirmation(tracker, value)
        if answer is None:
            return self.failed(self.confirm_slot, dispatcher, tracker, "utter_invalid_confirmation")
        if answer == EDIT:
            return self.accepted(self.confirm_slot, None, tracker, **{EDIT_REQUESTED_SLOT: True})
        return self.accepted(self.confirm_slot, answer, tracker)


def cancelled(dispatcher: CollectingDispatcher, form_slots: tuple[str, ...]) -> list[EventType]:
    """Nothing is filed (the summary declined, the form cancelled): say so, forget the answers."""
    dispatcher.utter_message(response="utter_cancelled")
    return slot_resets(form_slots)


def filing_failed(
    dispatcher: CollectingDispatcher, form: str, confirm_slot: str
) -> list[EventType]:
    """Filing failed: keep the answers and ask the summary again.

    "Ya" then retries with the same draft id, so a filing that did get through
    is not duplicated.
    """
    dispatcher.utter_message(response="utter_filing_failed")
    return [SlotSet(confirm_slot, None), FollowupAction(form)]
