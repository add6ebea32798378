"""Indonesian chat normalisation: slang, abbreviations, repeated letters, ``2`` reduplication.

Pure functions over text; the Rasa tokenizer (``bot.nlu.tokenizer``) calls them
per word so that every token keeps the offsets of what the resident typed.
The dictionary is data (``bot/data/slang.yml``), written and edited by people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SLANG_FILE = Path(__file__).resolve().parent.parent / "data" / "slang.yml"

# Letters typed three or more times ("tolonggg", "pagiii") are emphasis.
_REPEAT_3 = re.compile(r"([a-z])\1{2,}")
# "syarat2", "anak2": the Indonesian reduplication shorthand.
_REDUP = re.compile(r"^([a-z]{3,})2$")
# Words with genuine double letters, kept when a run is shortened.
_DOUBLE_LETTER_WORDS = frozenset(
    {"maaf", "saat", "taat", "tinggal", "tinggi", "manggis", "sekolah", "jumat", "kk", "rt", "rw"}
)
WORD_PATTERN = re.compile(r"(?:\+(?=\d))?[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


@dataclass(frozen=True, eq=False)
class SlangDictionary:
    words: dict[str, str]
    phrases: dict[tuple[str, ...], str]
    keep: frozenset[str]
    # Words known to be spelled right: where a shortened letter run may stop.
    known: frozenset[str]
    longest_phrase: int


def parse_dictionary(data: dict[str, Any]) -> SlangDictionary:
    words = {str(k).lower(): str(v).lower() for k, v in (data.get("words") or {}).items()}
    phrases = {
        tuple(str(k).lower().split()): str(v).lower()
        for k, v in (data.get("phrases") or {}).items()
    }
    keep = frozenset(str(k).lower() for k in (data.get("keep") or []))
    for token in keep:
        words.pop(token, None)
    known: set[str] = set(keep) | set(words) | set(_DOUBLE_LETTER_WORDS)
    for value in (*words.values(), *phrases.values()):
        known.update(value.split())
    return SlangDictionary(
        words=words,
        phrases=phrases,
        keep=keep,
        known=frozenset(known),
        longest_phrase=max((len(p) for p in phrases), default=0),
    )


@lru_cache(maxsize=4)
def load_dictionary(path: Path = SLANG_FILE) -> SlangDictionary:
    with path.open(encoding="utf-8") as handle:
        return parse_dictionary(yaml.safe_load(handle) or {})


def squeeze_repeats(word: str, known: Iterable[str] | frozenset[str] = frozenset()) -> str:
    """Shorten emphatic letter runs: ``tolonggg`` → ``tolong``, ``maaaf`` → ``maaf``."""
    if not _REPEAT_3.search(word):
        return word
    single = _REPEAT_3.sub(r"\1", word)
    double = _REPEAT_3.sub(r"\1\1", word)
    known_set = known if isinstance(known, (set, frozenset)) else frozenset(known)
    if single not in known_set and double in known_set:
        return double
    return single


def normalise_word(word: str, dictionary: SlangDictionary) -> str:
    """Standard form of one typed word (may be several words for an abbreviation)."""
    lowered = word.lower()
    if lowered in dictionary.keep:
        return lowered
    match = _REDUP.match(lowered)
    if match:
        lowered = match.group(1)
    squeezed = squeeze_repeats(lowered, dictionary.known)
    return dictionary.words.get(squeezed, squeezed)


@dataclass(frozen=True)
class NormalisedToken:
    """A normalised word with the span of the original text it came from."""

    text: str
    start: int
    end: int


def tokenize(text: str, dictionary: SlangDictionary) -> list[NormalisedToken]:
    """Split text into normalised tokens that keep the original character offsets.

    Multi-word phrases ("ga jadi") collapse into their standard form over the
    span of all their words; one abbreviation may expand into several tokens
    ("otw" → "sedang menuju") that share the abbreviation's span.
    """
    raw = [(m.group(0), m.start(), m.end()) for m in WORD_PATTERN.finditer(text or "")]
    return list(_normalise_sequence(raw, dictionary))


def _normalise_sequence(
    raw: list[tuple[str, int, int]], dictionary: SlangDictionary
) -> Iterator[NormalisedToken]:
    words = [normalise_word(w, dictionary) for w, _, _ in raw]
    i = 0
    longest = dictionary.longest_phrase
    while i < len(raw):
        matched = False
        for size in range(min(longest, len(raw) - i), 1, -1):
            candidate = tuple(" ".join(words[i : i + size]).split())
            original = tuple(w.lower() for w, _, _ in raw[i : i + size])
            replacement = dictionary.phrases.get(original) or dictionary.phrases.get(candidate)
            if replacement:
                for part in replacement.split():
                    yield NormalisedToken(part, raw[i][1], raw[i + size - 1][2])
                i += size
                matched = True
                break
        if matched:
            continue
        for part in words[i].split() or [raw[i][0].lower()]:
            yield NormalisedToken(part, raw[i][1], raw[i][2])
        i += 1


def normalise_text(text: str, dictionary: SlangDictionary | None = None) -> str:
    """The whole message in standard form (for logs, debugging and tests)."""
    return " ".join(t.text for t in tokenize(text, dictionary or load_dictionary()))
