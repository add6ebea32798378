"""The place questions (kabupaten/kota, kecamatan, desa): read against the gazetteer.

A place is a place only when the gazetteer knows it (``bot.domain.places``);
several of one name, or close names, are offered as a numbered list.
"""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.choices import AskFromVocabulary, numbered, resolve_choice, typed_number
from actions.forms import FAILURES_SLOT, TabikFormValidator
from actions.tracker import latest_text
from bot.domain import vocabulary
from bot.domain.gazetteer import DISTRICT, REGENCY, VILLAGE
from bot.domain.places import Location, contains, correction, read_place
from bot.domain.vocabulary import canonical_place

logger = logging.getLogger(__name__)

PLACE_MIN, PLACE_MAX = 2, 60

# Said around a place name in an answer: "di Sidodadi min", "sidodadi kak".
_PLACE_LEADS = frozenset({"di", "dari", "daerah", "wilayah", "tinggal", "rumah", "saya", "sy"})
_PLACE_TRAILS = frozenset(
    {"min", "mimin", "admin", "kak", "ka", "pak", "bu", "mas", "mbak", "bang", "ya", "yah",
     "nih", "aja", "saja", "deh", "dong", "kok", "pun", "sih", "tabik"}
)  # fmt: skip
# "Sidodadi, Kedaton" or "kel Sidodadi kec Kedaton": the first place is the answer.
_NEXT_PLACE = re.compile(r"\s*(?:[,;/]|\b(?:kecamatan|kec|kab|kabupaten)\b\.?\s)", re.IGNORECASE)
_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X)$", re.IGNORECASE)


_DESA_PREFIX = re.compile(
    r"^(?:kecamatan|kec|kel|kelurahan|desa|ds|dsa|kampung|kmp|pekon|tiyuh|dusun|dsn)\.?\s+",
    re.IGNORECASE,
)


def _without_prefix(text: str) -> str:
    while (stripped := _DESA_PREFIX.sub("", text)) != text:
        text = stripped
    return text


def _answer_part(text: str) -> str:
    words = (text or "").strip(" .,").split()
    while words and words[0].lower().strip(".,") in _PLACE_LEADS:
        words.pop(0)
    while words and words[-1].lower().strip(".,!") in _PLACE_TRAILS:
        words.pop()
    joined = " ".join(words)
    cut = _NEXT_PLACE.search(joined, 1)
    first = _without_prefix(joined[: cut.start()] if cut else joined)
    # "Sidodadi bandar lampung": a region said after the place is not part of it.
    parts = first.split()
    for size in (3, 2, 1):
        rest = parts[:-size]
        if (
            len(parts) > size
            and _names_only_a_region(" ".join(parts[-size:]))
            and rest[-1].lower() not in {"kota", "kab", "kabupaten"}
        ):
            parts = rest
            break
    return " ".join(parts).strip(" .,")


def _names_only_a_region(text: str) -> bool:
    """ "balam", "lampung selatan": but not "Liwa" or "Krui", towns that end desa names too."""
    if not vocabulary.canonical_region(text) or vocabulary.find_kecamatan(text):
        return False
    key = vocabulary.normalise_key(text)
    towns = {vocabulary.normalise_key(r.seat) for r in vocabulary.regions() if r.seat != r.name}
    return not any(town.startswith(key) for town in towns)


def title_place(text: str) -> str | None:
    """A kecamatan/desa name without its prefix, title-cased, or None when it cannot be one."""
    if (text or "").strip().startswith("/"):
        return None
    cleaned = _answer_part(text)
    if not (PLACE_MIN <= len(cleaned) <= PLACE_MAX):
        return None
    # "Kota Baru", "Kota Alam": a kelurahan whose name starts with "Kota" keeps it.
    keeps_kota = cleaned.lower().startswith("kota ") and (
        not vocabulary.canonical_region(cleaned) or vocabulary.find_kecamatan(cleaned)
    )
    place = canonical_place(cleaned[5:]) if keeps_kota else canonical_place(cleaned)
    if place and keeps_kota:
        place = f"Kota {place}"
    if place is None or sum(ch.isalpha() for ch in place) < PLACE_MIN:
        return None
    return " ".join(w.upper() if _ROMAN.match(w) else w for w in place.split())


# Set while a place question waits for a pick: what was offered, in the order shown.
PLACE_OPTIONS_SLOT = "place_options"
AMBIGUOUS, SUGGESTED = "ambiguous", "suggested"
PLACE_SLOTS = (REGENCY, DISTRICT, VILLAGE)


class PlaceFields(TabikFormValidator):
    """Validates the place questions a form asks (kabupaten/kota, kecamatan, desa).

    An answer is kept only when the gazetteer knows the place inside what is
    already known (``bot.domain.places``); what it names below the question
    fills those slots too, and one above it replaces the answer before (a
    correction). Several places of one name, or close names for one the
    gazetteer lacks, are offered (``place_options``) and the question's ask
    action shows them with a button each; a number picks one.
    """

    def form_slots(self, domain: DomainDict) -> list[str]:
        return list(self.domain_slots(domain))

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # "eh salah, bukan Kedaton yg bener Rajabasa" answering another question (the
        # description, the summary) corrects the place; it answers nothing else.
        corrected = self.place_correction(tracker, domain)
        if corrected is not None:
            return [SlotSet(slot, value) for slot, value in corrected.items()]
        return await super().get_extraction_events(dispatcher, tracker, domain)

    def place_correction(self, tracker: Tracker, domain: DomainDict) -> dict[str, Any] | None:
        asked = self.form_slots(domain)
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested in PLACE_SLOTS or requested is None or not self.fresh_turn(tracker):
            return None
        text = latest_text(tracker)
        if text.startswith("/") or correction(text) is None:
            return None
        region, district = tracker.get_slot(REGENCY), tracker.get_slot(DISTRICT)
        for level in (DISTRICT, VILLAGE, REGENCY):
            if level not in asked or (level != REGENCY and not region):
                continue
            reading = read_place(
                text,
                level,
                kabupaten_kota=region if level != REGENCY else None,
                kecamatan=district if level == VILLAGE else None,
                close=False,
            )
            if reading.location is not None:
                found = self.place_accepted(level, reading.location, tracker, domain)
                found.pop(FAILURES_SLOT, None)
                # The value of the question asked: the summary (or question) is asked again.
                return {**found, level: reading.location.slots().get(level)}
        return None

    def asks_kecamatan(self, domain: DomainDict) -> bool:
        return DISTRICT in self.form_slots(domain)

    def validate_kabupaten_kota(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        picked = self.picked_place(REGENCY, value, tracker)
        if picked is not None:
            return self.place_accepted(REGENCY, picked, tracker, domain)
        region = resolve_choice(REGENCY, value)
        if region is not None and vocabulary.normalise_key(str(value)) in (
            vocabulary.normalise_key(region),
            str(typed_number(str(value))),
        ):
            return self.place_accepted(REGENCY, Location(region), tracker, domain)
        return self.validate_place(REGENCY, value, dispatcher, tracker, domain)

    def validate_kecamatan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.validate_place(DISTRICT, value, dispatcher, tracker, domain)

    def validate_place(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is None:
            return {}  # reset by another answer this turn (a changed kecamatan)
        picked = self.picked_place(slot, value, tracker)
        if picked is not None:
            return self.place_accepted(slot, picked, tracker, domain)
        text = str(value or "")
        if text.startswith("/"):
            return self.failed(slot, dispatcher, tracker, f"utter_invalid_{slot}")
        reading = read_place(
            text,
            slot,
            kabupaten_kota=tracker.get_slot(REGENCY) if slot != REGENCY else None,
            kecamatan=tracker.get_slot(DISTRICT) if slot == VILLAGE else None,
        )
        if reading.location is None and slot != REGENCY:
            # The model may tag part of a name ("Agung" of "kec kota agung"): the whole
            # message, read the same way, knows better.
            said = latest_text(tracker)
            if said and not said.startswith("/") and said.strip() != text.strip():
                whole = read_place(
                    said,
                    slot,
                    kabupaten_kota=tracker.get_slot(REGENCY),
                    kecamatan=tracker.get_slot(DISTRICT) if slot == VILLAGE else None,
                    close=False,
                )
                reading = whole if whole.location is not None else reading
        if reading.location is not None:
            return self.place_accepted(slot, reading.location, tracker, domain)
        offered = reading.candidates or reading.suggestions
        if offered:
            options = {
                "slot": slot,
                "kind": AMBIGUOUS if reading.candidates else SUGGESTED,
                "typed": title_place(text) or text.strip(),
                "options": [location.slots() for location in offered],
            }
            logger.info("form %s: %d places offered for %s", self.form_name(), len(offered), slot)
            return {slot: None, PLACE_OPTIONS_SLOT: options}
        return self.failed(slot, dispatcher, tracker, f"utter_invalid_{slot}")

    def picked_place(self, slot: str, value: Any, tracker: Tracker) -> Location | None:
        """The option a number (typed or a button) picks from what this question offered."""
        offered = tracker.get_slot(PLACE_OPTIONS_SLOT) or {}
        if not isinstance(offered, dict) or offered.get("slot") != slot:
            return None
        number = typed_number(str(value or ""))
        options = offered.get("options") or []
        if number is None or not 1 <= number <= len(options):
            return None
        return Location(**options[number - 1])

    def place_accepted(
        self, slot: str, location: Location, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The location's slots this form asks; a lower answer outside it is asked again."""
        asked = self.form_slots(domain)
        given = location.slots()
        result: dict[str, Any] = {PLACE_OPTIONS_SLOT: None}
        for level in PLACE_SLOTS:
            if level not in asked:
                continue
            current = tracker.get_slot(level)
            if level in given:
                result[level] = given[level]
            elif level == slot or (current is not None and not contains(location, level, current)):
                # "bukan Kedaton, Rajabasa" at the desa question: a new kecamatan, its desa asked.
                result[level] = None
        value = result.pop(slot, None)
        return self.accepted(slot, value, tracker, **result)


# ---------------------------------------------------------------------------
# Asking the place questions
# ---------------------------------------------------------------------------


class ActionAskKabupatenKota(AskFromVocabulary, Action):
    kind = "kabupaten_kota"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if offer_places(dispatcher, tracker, REGENCY):
            return []
        return await super().run(dispatcher, tracker, domain)


def offer_places(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> bool:
    """Show the places a place question offered (same name, or close names), if any.

    Several places of one name: "which one?" and nothing else. Close names: they
    are offered, and the caller asks its question again below them.
    """
    offered = tracker.get_slot(PLACE_OPTIONS_SLOT) or {}
    if not isinstance(offered, dict) or offered.get("slot") != slot:
        return False
    locations = [Location(**option) for option in offered.get("options") or []]
    if not locations:
        return False
    dispatcher.utter_message(
        response=f"utter_place_{offered.get('kind')}",
        typed=offered.get("typed") or "",
        options=numbered(location.label for location in locations),
        buttons=[
            {"title": location.label, "payload": str(number)}
            for number, location in enumerate(locations, start=1)
        ],
    )
    # A kabupaten/kota question's own list is numbered too: only the offer is shown.
    return offered.get("kind") == AMBIGUOUS or slot == REGENCY


class ActionAskKecamatan(Action):
    """Which kecamatan? After an answer the gazetteer does not know, the places it offers."""

    slot: ClassVar[str] = DISTRICT

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not offer_places(dispatcher, tracker, self.slot):
            dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


class ActionAskDesa(ActionAskKecamatan):
    slot = VILLAGE
