"""Slots several forms share: how each is read, validated and asked for.

Readers for :attr:`actions.base.TabikFormValidator.readers`, the region
question's validator mixin, and the ``action_ask_<slot>`` actions that show
numbered lists built from ``bot/data`` (so the list shown and the number typed
always agree).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    Reader,
    Rejected,
    TabikFormValidator,
    ask_choice,
    resolve_choice,
)
from bot.domain import vocabulary
from bot.domain.errors import InvalidNik
from bot.domain.nik import validate_nik
from bot.domain.readings import canonical_phone, canonical_plate
from bot.domain.vocabulary import canonical_place

LAMPUNG_PLATE_PREFIX = "BE"
_NAME_ALLOWED = re.compile(r"^[^\W\d_]+(?:[\s.'\-,]+[^\W\d_]+)*\.?$")
NAME_MIN, NAME_MAX = 3, 80
PLACE_MIN, PLACE_MAX = 2, 60


def normalise_phone(text: str) -> str | None:
    """National form ``08…``, the same reading the NLU pipeline uses."""
    return canonical_phone(text)


def normalise_plate(text: str) -> str | None:
    """``BE 1234 AB``, the same reading the NLU pipeline uses."""
    return canonical_plate(text)


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


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text or "")


# ---------------------------------------------------------------------------
# Readers (TabikFormValidator.readers) and the region question
# ---------------------------------------------------------------------------


def choice_reader(kind: str) -> Reader:
    """Reads an answer to a numbered list: a typed number, a canonical value or an alias."""
    return partial(resolve_choice, kind)


def read_nik(text: str) -> str:
    """A valid NIK; a wrong one is refused with the reply that says what is wrong with it."""
    try:
        return validate_nik(text)
    except InvalidNik as error:
        reply = f"utter_invalid_nik_{error.reason}"
        raise Rejected(reply, digit_count=digit_count(text)) from error


def read_plate(text: str) -> str | None:
    """A Lampung plate (``BE …``); one from elsewhere is refused with its own reply."""
    plate = normalise_plate(text)
    if plate is not None and not plate.startswith(LAMPUNG_PLATE_PREFIX + " "):
        raise Rejected("utter_plate_not_lampung", plate=plate)
    return plate


class RegionField(TabikFormValidator):
    def validate_kabupaten_kota(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        region = resolve_choice("kabupaten_kota", value)
        if region is not None:
            # "kalianda" names Lampung Selatan by its town, a kecamatan too: keep both.
            town = vocabulary.find_kecamatan(str(value))
            named_by_town = vocabulary.normalise_key(str(value)) != vocabulary.normalise_key(region)
            if town and town[1] == region and named_by_town and self.asks_kecamatan(domain):
                return self.accepted("kabupaten_kota", region, tracker, kecamatan=town[0])
            return self.accepted("kabupaten_kota", region, tracker)
        # A kecamatan name answers the question too ("Natar" is in Lampung Selatan).
        kecamatan = vocabulary.find_kecamatan(str(value))
        if kecamatan is not None:
            extra = {"kecamatan": kecamatan[0]} if self.asks_kecamatan(domain) else {}
            return self.accepted("kabupaten_kota", kecamatan[1], tracker, **extra)
        return self.failed("kabupaten_kota", dispatcher, tracker, "utter_invalid_kabupaten_kota")

    def form_slots(self, domain: DomainDict) -> list[str]:
        return list(self.domain_slots(domain))

    def asks_kecamatan(self, domain: DomainDict) -> bool:
        return "kecamatan" in self.form_slots(domain)


# ---------------------------------------------------------------------------
# Asking with numbered lists
# ---------------------------------------------------------------------------


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


class ActionAskKabupatenKota(AskFromVocabulary, Action):
    kind = "kabupaten_kota"


class ActionAskDocumentType(AskFromVocabulary, Action):
    kind = "document_type"


class ActionAskCommodity(AskFromVocabulary, Action):
    kind = "commodity"


class ActionAskComplaintCategory(AskFromVocabulary, Action):
    kind = "complaint_category"
