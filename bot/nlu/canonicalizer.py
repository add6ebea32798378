"""``EntityCanonicalizer``: every entity leaves the NLU pipeline in its canonical form.

Runs after the classifier and the learned extractor:

1. Deterministic entities (ticket numbers, NIK, phone, plates) are found by
   pattern in the text and replace anything the learned extractor said about
   the same span: a pattern is right about a 16-digit number, a model guesses.
2. Vocabulary entities (document types, complaint categories, commodities,
   regions) map through the aliases in ``bot/data`` (exact, then close
   spelling); kecamatan and desa are title-cased without their prefixes.
3. What the model missed but the text plainly names (a region alias, "akte
   lahir" in a question about documents) is added from the same aliases.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.domain import vocabulary
from bot.domain.places import official_name
from bot.domain.vocabulary import canonical_place
from bot.nlu import patterns
from bot.nlu.component import StatelessComponent

PATTERN_ENTITIES = frozenset(patterns.CANONICALISERS)
VOCABULARY_ENTITIES = ("document_type", "complaint_category", "commodity", "kabupaten_kota")
# Where a vocabulary word found by alias (not by the model) is believed:
# "air" or "jalan" are everyday words outside a complaint.
GAZETTEER_INTENTS: dict[str, frozenset[str] | None] = {
    "kabupaten_kota": None,  # region names are distinctive everywhere
    "document_type": frozenset(
        {"apply_service", "ask_requirements", "check_status", "ask_office_info", "inform"}
    ),
    "commodity": frozenset({"ask_food_price"}),
    "complaint_category": frozenset({"file_complaint"}),
}
MAX_ALIAS_WORDS = 4
PLACE_INTENTS = frozenset({"file_complaint", "inform", "emergency", "ask_office_info"})
# "desa Hajimena", "pekon Sukamaju", "kec. Natar": the word after the prefix is a name.
_PLACE_AFTER_PREFIX = {
    "desa": re.compile(
        r"\b(?:desa|ds|dsa|pekon|kampung|kmp|tiyuh|kelurahan|kel|dusun|dsn)\.?\s+", re.IGNORECASE
    ),
    "kecamatan": re.compile(r"\b(?:kecamatan|kec|kcmtn)\.?\s+", re.IGNORECASE),
}
# Kecamatan whose names are everyday words: recognised only after "kec".
_COMMON_WORD_KECAMATAN = frozenset(
    {"panjang", "palas", "ketapang", "penawar", "enggal", "lemong", "limau", "bulok"}
)
# Words that end a place name typed without punctuation.
_PLACE_STOP = frozenset(
    """di ke dari dan yang yg sudah udah udh sdh ada tolong mohon min pak bu nya ini itu sejak
    sama untuk utk gak ga tidak tdk parah rusak jalan jln jl rt rw no nomor kab kabupaten kota kec
    kecamatan desa ds kel kelurahan pekon kampung tiyuh dusun lampung mati banjir sampah
    numpuk bolong berlubang sudah belum blm gimana bagaimana gmn tlg segera cepat kapan""".split()
)


def close_alias(kind: str, text: str, cutoff: float = 0.84) -> str | None:
    key = vocabulary.normalise_key(text)
    if len(key) < 4:
        return None
    candidates = list(vocabulary.aliases(kind))
    match = difflib.get_close_matches(key, candidates, n=1, cutoff=cutoff)
    return vocabulary.canonical_value(kind, match[0]) if match else None


def canonical_vocabulary_value(kind: str, text: str) -> str | None:
    value = vocabulary.canonical_value(kind, text)
    if value is None:
        stripped = canonical_place(text) if kind == "kabupaten_kota" else None
        if stripped:
            value = vocabulary.canonical_value(kind, stripped)
    return value or close_alias(kind, text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityCanonicalizer(StatelessComponent, EntityExtractorMixin):
    """Canonicalises (and completes) entities; see the module docstring."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"gazetteer": True}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # intent payloads carry their own entities
            intent = (message.get(INTENT) or {}).get("name")
            entities = self.canonicalise(text, message.get(ENTITIES, []) or [], intent)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def canonicalise(
        self, text: str, entities: list[dict[str, Any]], intent: str | None
    ) -> list[dict[str, Any]]:
        found = list(patterns.find_all(text, any_plate_region=intent == "check_tax"))
        spans = [(f.start, f.end) for f in found]
        result: list[dict[str, Any]] = [
            self._entity(f.entity, f.value, f.start, f.end, 1.0, "pattern") for f in found
        ]
        for entity in entities:
            start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
            if start is not None and end is not None and _overlaps(start, end, spans):
                continue
            canonical = self._canonical_value(entity)
            if canonical is None:
                continue
            if entity[ENTITY_ATTRIBUTE_TYPE] in PATTERN_ENTITIES and any(
                e[ENTITY_ATTRIBUTE_VALUE] == canonical for e in result
            ):
                continue
            updated = dict(entity)
            updated[ENTITY_ATTRIBUTE_VALUE] = canonical
            result.append(self.add_processor_name(updated))
        if self._config.get("gazetteer", True):
            result.extend(self._gazetteer(text, result, intent))
        return sorted(result, key=lambda e: e.get(ENTITY_ATTRIBUTE_START) or 0)

    def _canonical_value(self, entity: dict[str, Any]) -> str | None:
        kind = entity.get(ENTITY_ATTRIBUTE_TYPE)
        raw = str(entity.get(ENTITY_ATTRIBUTE_VALUE) or "")
        if kind in PATTERN_ENTITIES:
            return patterns.CANONICALISERS[kind](raw)
        if kind in VOCABULARY_ENTITIES:
            return canonical_vocabulary_value(kind, raw)
        if kind in ("kecamatan", "desa"):
            # The official spelling when the gazetteer knows the name ("Tanjung Karang
            # Pusat" → "Tanjungkarang Pusat"); forms decide whether it is a real place.
            place = canonical_place(raw)
            return (official_name(kind, place) or place) if place else None
        return raw or None

    def _gazetteer(
        self, text: str, existing: list[dict[str, Any]], intent: str | None
    ) -> list[dict[str, Any]]:
        present = {e[ENTITY_ATTRIBUTE_TYPE] for e in existing}
        taken = [
            (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END])
            for e in existing
            if e.get(ENTITY_ATTRIBUTE_START) is not None
        ]
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", text)]
        added: list[dict[str, Any]] = []
        for kind, intents in GAZETTEER_INTENTS.items():
            if kind in present or (intents is not None and intent not in intents):
                continue
            hit = _longest_alias(kind, words, taken)
            if hit is not None:
                value, start, end = hit
                taken.append((start, end))
                added.append(self._entity(kind, value, start, end, 0.9, "gazetteer"))
        if intent in PLACE_INTENTS:
            for kind in ("kecamatan", "desa"):
                if kind in present:
                    continue
                hit = _place_after_prefix(kind, text, taken)
                if hit is None and kind == "kecamatan":
                    hit = _known_kecamatan(words, taken)
                if hit is not None:
                    value, start, end = hit
                    taken.append((start, end))
                    added.append(self._entity(kind, value, start, end, 0.8, "gazetteer"))
        return added

    def _entity(
        self, kind: str, value: str, start: int, end: int, confidence: float, how: str
    ) -> dict[str, Any]:
        return {
            ENTITY_ATTRIBUTE_TYPE: kind,
            ENTITY_ATTRIBUTE_VALUE: value,
            ENTITY_ATTRIBUTE_START: start,
            ENTITY_ATTRIBUTE_END: end,
            ENTITY_ATTRIBUTE_CONFIDENCE: confidence,
            EXTRACTOR: f"{self.__class__.__name__}.{how}",
        }


def _place_after_prefix(
    kind: str, text: str, taken: list[tuple[int, int]]
) -> tuple[str, int, int] | None:
    for prefix in _PLACE_AFTER_PREFIX[kind].finditer(text):
        names: list[tuple[str, int, int]] = []
        for word in re.finditer(r"[^\W\d_][\w']*|\S", text[prefix.end() :]):
            token = word.group(0)
            start, end = prefix.end() + word.start(), prefix.end() + word.end()
            gap = text[names[-1][2] : start] if names else ""
            if (
                not token[0].isalpha()
                or token.lower() in _PLACE_STOP
                or vocabulary.canonical_region(token)
                or (gap and not gap.isspace())
                or len(names) == 3
            ):
                break
            names.append((token, start, end))
        if names and not _overlaps(names[0][1], names[-1][2], taken):
            place = canonical_place(" ".join(n for n, _, _ in names))
            if place:
                return place, names[0][1], names[-1][2]
    return None


def _known_kecamatan(
    words: list[tuple[str, int, int]], taken: list[tuple[int, int]]
) -> tuple[str, int, int] | None:
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            start, end = words[i][1], words[i + size - 1][2]
            if _overlaps(start, end, taken):
                continue
            phrase = " ".join(w for w, _, _ in words[i : i + size])
            if phrase.lower() in _COMMON_WORD_KECAMATAN:
                continue
            found = vocabulary.find_kecamatan(phrase)
            if found is not None:
                return found[0], start, end
    return None


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and end > s for s, e in spans)


def _longest_alias(
    kind: str, words: list[tuple[str, int, int]], taken: list[tuple[int, int]]
) -> tuple[str, int, int] | None:
    for size in range(MAX_ALIAS_WORDS, 0, -1):
        for i in range(len(words) - size + 1):
            start, end = words[i][1], words[i + size - 1][2]
            if _overlaps(start, end, taken):
                continue
            phrase = " ".join(w for w, _, _ in words[i : i + size])
            value = vocabulary.canonical_value(kind, phrase)
            if value is not None:
                return value, start, end
    return None
