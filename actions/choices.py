"""Numbered choices and yes/no questions: the list shown is the list a typed number reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers
from actions.tracker import latest_intent
from bot.domain import vocabulary
from bot.domain.menu import menu_choice


def typed_number(text: str) -> int | None:
    """A number typed to pick from a numbered list ("2", "no 2", "pilih 2")."""
    return menu_choice(text)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def choices(kind: str) -> list[Choice]:
    """The options for a vocabulary (``document_type``, ``kabupaten_kota``, …) in menu order."""
    return [Choice(value, vocabulary.label(kind, value)) for value in vocabulary.values(kind)]


def numbered(labels: Iterable[str]) -> str:
    return "\n".join(f"{number}. {text}" for number, text in enumerate(labels, start=1))


def choice_buttons(kind: str, *, intent: str = "inform") -> list[dict[str, str]]:
    return [
        {"title": choice.label, "payload": f'/{intent}{{"{kind}":"{choice.value}"}}'}
        for choice in choices(kind)
    ]


def ask_choice(
    dispatcher: CollectingDispatcher,
    kind: str,
    *,
    response: str | None = None,
    intent: str = "inform",
) -> None:
    """Utter ``utter_ask_<kind>`` (or ``response``) with the numbered options and a button each."""
    dispatcher.utter_message(
        response=response or f"utter_ask_{kind}",
        options=numbered(choice.label for choice in choices(kind)),
        buttons=choice_buttons(kind, intent=intent),
    )


class AskFromVocabulary:
    """Mixin for an Action asking ``kind`` from its numbered list, a button per option.

    Named ``action_ask_<kind>``, or ``action_ask_<form>_<kind>`` for one form's
    own way of asking; ``lead_response`` is said before the list.
    """

    kind: ClassVar[str]
    form: ClassVar[str] = ""
    lead_response: ClassVar[str] = ""

    def name(self) -> str:
        return f"action_ask_{self.form}_{self.kind}" if self.form else f"action_ask_{self.kind}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.lead_response:
            dispatcher.utter_message(response=self.lead_response)
        ask_choice(dispatcher, self.kind)
        return []


def slot_label(tracker: Tracker, slot: str) -> str:
    """The label shown for the value of a vocabulary slot (``document_type``, …), or "-"."""
    value = tracker.get_slot(slot)
    return vocabulary.label(slot, value) if value else "-"


def resolve_choice(kind: str, text: Any) -> str | None:
    """A canonical value from a typed number, a canonical value or an alias; else None."""
    if text is None:
        return None
    text = str(text)
    options = choices(kind)
    number = typed_number(text)
    if number is not None:
        return options[number - 1].value if 1 <= number <= len(options) else None
    if text in {choice.value for choice in options}:
        return text
    return vocabulary.canonical_value(kind, text)


# Words and intents that answer a yes/no question. Matching input, not text shown.
_YES_WORDS = frozenset({"ya", "iya", "y", "yes", "ok", "oke", "boleh", "setuju", "benar", "betul"})
_NO_WORDS = frozenset({"tidak", "tdk", "gak", "ga", "nggak", "enggak", "no", "bukan", "jangan"})
_SKIP_WORDS = frozenset(
    {"lewati", "lewat", "skip", "tidak ada", "ga ada", "gak ada", "nggak ada", "tdk ada", "-",
     "tidak tahu", "tidak tau", "gak tau", "ga tau", "tidak", "tdk", "ga", "gak", "nggak", "no"}
)  # fmt: skip


def yes_no(tracker: Tracker, text: Any, *, yes_number: int = 1, no_number: int = 2) -> bool | None:
    """Read a yes/no answer: the intent (buttons send /affirm, /deny), a typed number or a word."""
    raw = str(text or "")
    number = typed_number(raw)
    if number == yes_number:
        return True
    if number == no_number:
        return False
    key = vocabulary.normalise_key(raw)
    if key in _YES_WORDS:
        return True
    if key in _NO_WORDS:
        return False
    intent, _ = latest_intent(tracker)
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    return None


def is_skip(tracker: Tracker, text: Any) -> bool:
    """A skip button (/deny), a skip word, or a plain "no" ("gak ada", "ga punya fotonya").

    A typed message classified as deny is not enough: a place name can be.
    """
    raw = str(text or "").strip()
    intent, _ = latest_intent(tracker)
    if intent == "deny" and raw.startswith("/"):
        return True
    return vocabulary.normalise_key(raw) in _SKIP_WORDS or answers.says_skip(raw)
