"""Reading a message in the light of the conversation so far (outside a form).

Three readings, all plain rules over the words of ``bot/data/everyday.yml``:

* a **follow-up** changes one value of the service just answered ("kalo cabe?"
  after a price, "kalo di metro?", "kalo yg BE 1234 XY?", "kalo kk?") and keeps
  the others; "mau ajuin sekarang" after the requirements of a document applies
  for that document;
* an **everyday** message is read as meant: an emoji alone, a thank-you, an
  insult, or whether offices open on a named day;
* a **second request** named in a message ("gak jadi, mau tanya harga aja").

Nothing here is shown to residents; the actions utter the replies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any

from bot.domain.normalise import normalise_text
from bot.domain.readings import PLATE_SHAPE, canonical_plate
from bot.domain.vocabulary import load_yaml

__all__ = [
    "SERVICE_VALUES",
    "Everyday",
    "FollowUp",
    "LastAnswer",
    "asks_to_apply",
    "day_asked",
    "plate_province",
    "read_everyday",
    "read_follow_up",
    "requested_services",
]

# The values each answered service is asked with; a follow-up may change any.
SERVICE_VALUES: Mapping[str, tuple[str, ...]] = {
    "food_price": ("commodity", "kabupaten_kota"),
    "tax": ("plate_number",),
    "social_aid": ("nik",),
    "requirements": ("document_type",),
    "offices": ("kabupaten_kota",),
}
# Values never kept between turns: personal data is asked again, not remembered.
_NOT_KEPT = frozenset({"nik", "plate_number"})
PLACE_ENTITIES = frozenset({"kabupaten_kota", "kecamatan", "desa"})
# A run of digits a resident means as a NIK, even of the wrong length (told how many).
_DIGIT_RUN = re.compile(r"\d[\d\s.\-]{4,}\d")
_WORD_CHARS = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return dict(load_yaml("everyday.yml"))


def _words_of(key: str) -> frozenset[str]:
    return frozenset(str(word).lower() for word in _data()[key])


def _words(text: str) -> list[str]:
    return normalise_text(text or "").split()


def _names_any(text: str, phrases: Iterable[str]) -> bool:
    """True when the message has one of the words or phrases (normalised and as typed)."""
    raw = (text or "").lower()
    normal = " " + " ".join(_words(text)) + " "
    typed = " " + " ".join(re.findall(r"[\w']+", raw)) + " "
    return any(f" {phrase} " in normal or f" {phrase} " in typed for phrase in phrases)


# ---------------------------------------------------------------------------
# Follow-ups
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LastAnswer:
    """The service answered last and the values it was asked with (personal data left out)."""

    service: str
    values: Mapping[str, str] = field(default_factory=dict)

    def as_slot(self) -> dict[str, Any]:
        kept = {k: v for k, v in self.values.items() if k not in _NOT_KEPT and v}
        return {"service": self.service, "values": kept}

    @classmethod
    def from_slot(cls, value: Any) -> LastAnswer | None:
        if not isinstance(value, Mapping) or value.get("service") not in SERVICE_VALUES:
            return None
        values = value.get("values")
        kept = values if isinstance(values, Mapping) else {}
        return cls(str(value["service"]), {str(k): str(v) for k, v in kept.items()})


@dataclass(frozen=True)
class FollowUp:
    """The service to run again, with the values to run it with (old ones kept)."""

    service: str
    values: Mapping[str, str]


def _without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    kept = text
    for start, end in sorted(spans, reverse=True):
        kept = kept[:start] + " " + kept[end:]
    return kept


def _entity_spans(text: str, entities: Iterable[Mapping[str, Any]]) -> list[tuple[int, int]]:
    spans = []
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int):
            spans.append((start, end))
    return spans


def _only_follow_up_words(rest: str) -> bool:
    """What is left besides the new value: only follow-up words, or an opener and one more."""
    found = _words(rest)
    fillers = _words_of("follow_up_words")
    others = [word for word in found if word not in fillers and not word.isdigit()]
    if not others:
        return True
    opened = bool(found) and found[0] in _words_of("follow_up_openers")
    return opened and len(others) == 1


def read_follow_up(
    last: LastAnswer | None, text: str, entities: Iterable[Mapping[str, Any]]
) -> FollowUp | None:
    """The same service with this message's new value, or None when the message is not that.

    ``entities`` are the NLU's (with ``start``/``end``). A plate of any region and
    a NIK of any length count for the services that take them, so that the
    service itself can say what is wrong with them.
    """
    if last is None or not text or text.lstrip().startswith("/"):
        return None
    found = [dict(entity) for entity in entities if entity.get("value") not in (None, "")]
    takes = SERVICE_VALUES[last.service]
    new: dict[str, str] = {}
    spans = _entity_spans(text, found)
    for entity in found:
        name = str(entity.get("entity"))
        if name in takes:
            new.setdefault(name, str(entity["value"]))
        elif name not in PLACE_ENTITIES or "kabupaten_kota" not in takes:
            return None  # it names something this service does not take
    if "plate_number" in takes and "plate_number" not in new:
        match = next(iter(PLATE_SHAPE.finditer(text)), None)
        plate = canonical_plate(match.group(0)) if match else None
        if match and plate:
            new["plate_number"] = plate
            spans.append(match.span())
    if "nik" in takes and "nik" not in new:
        run = _DIGIT_RUN.search(text)
        if run:
            new["nik"] = run.group(0)
            spans.append(run.span())
    if not new or not _only_follow_up_words(_without_spans(text, spans)):
        return None
    return FollowUp(last.service, {**dict(last.values), **new})


def asks_to_apply(last: LastAnswer | None, text: str, intent: str | None) -> str | None:
    """The document to apply for when "mau ajuin sekarang" follows its requirements."""
    if last is None or last.service != "requirements" or intent != "apply_service":
        return None
    document = last.values.get("document_type")
    if not document or not set(_words(text)) & _words_of("apply_words"):
        return None
    return document


# ---------------------------------------------------------------------------
# Everyday messages
# ---------------------------------------------------------------------------


class Everyday(str, Enum):
    THANKS = "thanks"
    SYMPATHY = "sympathy"
    AFFIRM = "affirm"
    INSULT = "insult"
    OFFICE_DAY = "office_day"


def _emoji_meaning(text: str) -> Everyday | None:
    if _WORD_CHARS.search(text):
        return None
    for meaning, marks in _data()["emoji"].items():
        if any(mark in text for mark in marks):
            return Everyday(meaning)
    return None


def _only_thanks(text: str) -> bool:
    found = _words(text)
    thanks = _words_of("thanks_words")
    allowed = thanks | _words_of("thanks_companions")
    return bool(set(found) & thanks) and all(word in allowed for word in found)


def read_everyday(text: str, *, today: date | None = None) -> Everyday | None:
    """What an everyday message means, or None for anything else."""
    stripped = (text or "").strip()
    if not stripped or stripped.startswith("/"):
        return None
    emoji = _emoji_meaning(stripped)
    if emoji is not None:
        return emoji
    if _names_any(stripped, _words_of("insult_words")):
        return Everyday.INSULT
    if _only_thanks(_without_emoji(stripped)):
        return Everyday.THANKS
    if day_asked(stripped, today=today or date.today()) is not None:
        return Everyday.OFFICE_DAY
    return None


def _without_emoji(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() or ch.isspace() or ch in "'-.,!?")


def day_asked(text: str, *, today: date) -> int | None:
    """The weekday (Monday 0) a message asks the opening hours of ("sabtu buka?"), else None."""
    if not _names_any(text, _words_of("opening_words")):
        return None
    raw_words = set(re.findall(r"[\w']+", (text or "").lower())) | set(_words(text))
    for weekday, names in enumerate(_data()["weekdays"]):
        if raw_words & {str(name) for name in names}:
            return weekday
    for phrase, offset in _data()["relative_days"].items():
        if _names_any(text, [str(phrase)]):
            return (today + timedelta(days=int(offset))).weekday()
    return None


# ---------------------------------------------------------------------------
# Requests named in a message
# ---------------------------------------------------------------------------


def requested_services(text: str) -> list[str]:
    """The services (intent names) a message names, in the order of ``service_words``."""
    return [
        intent
        for intent, phrases in _data()["service_words"].items()
        if _names_any(text, [str(phrase) for phrase in phrases])
    ]


@lru_cache(maxsize=1)
def _plate_provinces() -> dict[str, str]:
    return {str(code): str(name) for code, name in load_yaml("plates.yml").items()}


def plate_province(plate: str) -> str | None:
    """The province whose Samsat collects the tax of a plate (``B 1234 XYZ`` → DKI Jakarta …)."""
    return _plate_provinces().get((plate or "").split(" ")[0].upper())
