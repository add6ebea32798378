"""What every Tabik action shares: the services, reading the tracker, menus, forms.

Actions stay thin: they read the tracker, call one service function and utter
a response from ``domain.yml``. Text a resident reads never lives here; the
only strings built in Python are joins of data from ``bot/data`` or the
knowledge base, and numbers/dates formatted for display.
"""

from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import partialmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import answers
from bot.domain import vocabulary
from bot.domain.attachments import is_platform_ref
from bot.domain.conversation import LastAnswer
from bot.domain.identity import ChatIdentity
from bot.domain.menu import menu_choice
from bot.domain.office_hours import WIB
from bot.services.ports import ResidentServices

logger = logging.getLogger(__name__)

ACTION_LISTEN = "action_listen"
DRAFT_ID_SLOT = "draft_id"
FAILURES_SLOT = "failed_attempts"
# The service answered last and its values, for follow-ups ("kalo cabe?"): actions/context.py.
LAST_ANSWER_SLOT = "last_answer"
# After this many failed answers for one slot, the slot is explained at length.
EXPLAIN_AFTER_FAILURES = 2

# ---------------------------------------------------------------------------
# The services. Built lazily on first use (never at import time); tests replace
# ``_services_factory`` with a fake or real services on a temporary database.
# Actions see only the ResidentServices Protocol: typed methods, typed results.
# ---------------------------------------------------------------------------


def _default_services() -> ResidentServices:
    # Imported here: the composition root pulls in the database and HTTP adapters.
    from bot.bootstrap import action_server

    return action_server().services


_services_factory: Callable[[], ResidentServices] = _default_services


def services() -> ResidentServices:
    return _services_factory()


def set_services_factory(
    factory: Callable[[], ResidentServices],
) -> Callable[[], ResidentServices]:
    """Swap the services provider (tests); returns the previous one to restore."""
    global _services_factory
    previous = _services_factory
    _services_factory = factory
    return previous


# ---------------------------------------------------------------------------
# Reading the tracker
# ---------------------------------------------------------------------------


def identity_of(tracker: Tracker) -> ChatIdentity:
    return ChatIdentity.from_sender_id(tracker.sender_id)


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    tabik = metadata.get("tabik") if isinstance(metadata, dict) else None
    return tabik if isinstance(tabik, dict) else {}


def platform_attachment(tracker: Tracker) -> dict[str, Any] | None:
    """The photo the channel delivered with the latest message, or None.

    Only a channel writes ``metadata["tabik"]["attachment"]``, from a real platform
    message (the REST channel drops client metadata); a typed ``/share_photo{...}``
    carries an ``attachment_id`` entity but no such metadata, and attaches nothing.
    """
    attachment = latest_metadata(tracker).get("attachment")
    if isinstance(attachment, dict) and is_platform_ref(attachment.get("id")):
        return attachment
    return None


def remember(service: str, **values: Any) -> EventType:
    """Note the service just answered and its values, so a follow-up can change one of them."""
    kept = {name: str(value) for name, value in values.items() if value}
    return SlotSet(LAST_ANSWER_SLOT, LastAnswer(service, kept).as_slot())


def entity_value(tracker: Tracker, entity: str) -> Any:
    """The first value of an entity in the latest message, or None."""
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") == entity and item.get("value") not in (None, ""):
            return item["value"]
    return None


def is_fresh_user_turn(tracker: Tracker, form_name: str | None = None) -> bool:
    """True right after the resident spoke, False when a form resumes after a digression.

    A form's validation action sees the form itself as the latest action (Rasa
    appends it to the tracker it sends), so that one is looked past.
    """
    looked_past_form = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            if event.get("name") == form_name and not looked_past_form:
                looked_past_form = True
                continue
            return event.get("name") == ACTION_LISTEN
    # A tracker without events (tests, the first turn): trust its summary.
    return tracker.latest_action_name in (ACTION_LISTEN, form_name)


# ---------------------------------------------------------------------------
# Numbered choices (the same list is shown and used to read a typed number)
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Formatting numbers and dates for residents
# ---------------------------------------------------------------------------


def rupiah(amount: int) -> str:
    """``Rp1.234.500``: Indonesian thousands separators, no decimals."""
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def display_date(value: date | datetime | str | None) -> str:
    """``28/11/2026``, or ``28/11/2026 14.30 WIB`` for a moment in time."""
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        local = aware.astimezone(WIB)
        return local.strftime("%d/%m/%Y %H.%M WIB")
    return value.strftime("%d/%m/%Y")


def response_text(domain: DomainDict, name: str, **values: Any) -> str:
    """The text of a response in ``domain.yml`` with ``{placeholders}`` filled.

    For small fragments (a location line, a photo line) that are combined into
    one message; whole messages are uttered with ``response=`` instead.
    """
    variations = (domain.get("responses") or {}).get(name) or []
    if not variations:
        raise KeyError(f"response {name} is missing from the domain")
    text = str(variations[0].get("text", ""))
    return text.format(**values) if values else text


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------

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


def slot_resets(names: Iterable[str]) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


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
