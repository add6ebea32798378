"""Reading a resident's answer about a place: what it names in the gazetteer, or what to offer.

A place answer is a place only when the gazetteer knows it, inside what is
already known: a kabupaten/kota, then one of its kecamatan, then one of that
kecamatan's desa/kelurahan. A lower place fills the ones above it ("Way Dadi"
is in Sukarame, Bandar Lampung), a name several places share is offered as a
choice, a close spelling of one name is that name, and anything else gets up
to three close names (never stored). "bukan X, yg bener Y" and "eh salah, Y"
mean Y. Matching input only; nothing here is shown to residents.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bot.domain.gazetteer import (
    DISTRICT,
    LEVELS,
    REGENCY,
    VILLAGE,
    Place,
    compact_key,
    gazetteer,
    normalise_key,
)
from bot.domain.vocabulary import canonical_region, region_names

MAX_SUGGESTIONS = 3
# A close spelling is taken as the name when it is this close and clearly the closest.
ACCEPT_RATIO, ACCEPT_MARGIN = 0.86, 0.06
SUGGEST_RATIO = 0.6
# Longer pieces of an answer are sentences, not names (no close spelling is read in them).
MAX_NAME_WORDS = 4
# Offered as a choice only up to this many; more says nothing (the question is asked again).
MAX_CANDIDATES = 6

# "kel. Way Dadi", "desa Hajimena", "pekon Sukamaju", "kec Natar": the word before a name
# says which level it is and is not part of it.
_PREFIX_LEVEL = {
    **dict.fromkeys(
        ("kel", "kelurahan", "desa", "ds", "dsa", "pekon", "kampung", "kmp", "tiyuh"), VILLAGE
    ),
    **dict.fromkeys(("kec", "kecamatan", "kcmtn", "kecamtan"), DISTRICT),
    **dict.fromkeys(("kab", "kabupaten", "kabupatn"), REGENCY),
}
# Said around a place name: "di Sidodadi min", "rumah saya di desa X kak".
_FILLERS = frozenset(
    """di dari daerah wilayah tinggal rumah saya sy aku kami lokasi lokasinya alamat tempat
    tempatnya letaknya masuk ikut itu ini tuh nih min mimin admin kak ka pak bu mas mbak bang ya
    yah iya aja saja deh dong kok pun sih tabik dekat deket sekitar kawasan area daerahnya yang
    yg namanya nama tepatnya persisnya""".split()
)
# Ends a correction's wrong part and starts the right one.
_CORRECTION = re.compile(
    r"(?:\b(?:yang|yg|yng)\s+)?\b(?:bener|benar|betul|bnr|btl)(?:nya)?\b\s*(?:itu|adalah|tuh)?"
    r"|\bmaksud(?:nya|ku|\s+saya|\s+sy)?\b"
    r"|\bmksdnya\b|\bmaksutnya\b|\bralat\b|\bkoreksi\b"
    r"|^\s*(?:eh\s+|maaf\s+|sori\s+|sorry\s+)?(?:salah|keliru)(?:\s+ketik|\s+tulis)?\b",
    re.IGNORECASE,
)
# What a correction says is wrong: "bukan Kedaton", "bukan kec Kedaton".
_WRONG_PART = re.compile(r"\bbukan\s+[^,;.]*?(?:[,;.]|\btapi\b|\btp\b|$)", re.IGNORECASE)
_BUT_WITHOUT = re.compile(
    r"^\s*bukan\s+(?P<wrong>[^,;]+?)\s*(?:,|\btapi\b|\btp\b)\s*(?P<right>.+)$",
    re.IGNORECASE,
)
_SEGMENT_BREAK = re.compile(r"[,;/()]|\s-\s|\bdan\b", re.IGNORECASE)
_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X)$", re.IGNORECASE)


@dataclass(frozen=True)
class Location:
    """A place the gazetteer knows, with the places above it (names are official)."""

    kabupaten_kota: str
    kecamatan: str | None = None
    desa: str | None = None

    def slots(self) -> dict[str, str]:
        return {
            level: value
            for level, value in zip(
                LEVELS, (self.kabupaten_kota, self.kecamatan, self.desa), strict=True
            )
            if value is not None
        }

    @property
    def deepest(self) -> str:
        return self.desa or self.kecamatan or self.kabupaten_kota

    @property
    def label(self) -> str:
        """ "Way Dadi, Sukarame, Bandar Lampung": how a choice is shown."""
        return ", ".join(v for v in (self.desa, self.kecamatan, self.kabupaten_kota) if v)


@dataclass(frozen=True)
class PlaceReading:
    location: Location | None = None
    # The answer names several places: ask which (buttons).
    candidates: tuple[Location, ...] = ()
    # The answer names no place: these names are close to it.
    suggestions: tuple[Location, ...] = ()
    corrected: bool = False


def correction(text: str) -> str | None:
    """The right part of a correction ("eh salah, bukan Kedaton yg bener Rajabasa" → "Rajabasa")."""
    text = (text or "").strip()
    matches = list(_CORRECTION.finditer(text))
    if matches:
        right = text[matches[-1].end() :]
    else:
        but = _BUT_WITHOUT.match(text)
        if not but:
            return None
        right = but.group("right")
    right = _WRONG_PART.sub(" ", right)
    right = re.sub(r"^[\s,.:;!-]+|[\s,.:;!-]+$", "", right)
    return right or None


def _location_of(place: Place) -> Location:
    names = {place.level: place.name}
    for parent in gazetteer().parents(place):
        names[parent.level] = parent.name
    return Location(names[REGENCY], names.get(DISTRICT), names.get(VILLAGE))


def _place_of(level: str, name: str | None, within: Place | None) -> Place | None:
    if not name:
        return None
    found = [p for p in gazetteer().named(level, name) if _inside(p, within)]
    return found[0] if len(found) == 1 else None


def _inside(place: Place, scope: Place | None) -> bool:
    return scope is None or place.code == scope.code or place.code.startswith(scope.code + ".")


@dataclass
class _Mentions:
    """Places named in an answer, by level, with the piece of text (span) that named each."""

    by_level: dict[str, list[Place]] = field(default_factory=dict)
    spans: dict[str, int] = field(default_factory=dict)

    def add(self, place: Place, span: int) -> None:
        found = self.by_level.setdefault(place.level, [])
        if place not in found:
            found.append(place)
            self.spans[place.code] = span

    def of(self, level: str) -> list[Place]:
        return self.by_level.get(level, [])


def _segments(text: str) -> list[tuple[str | None, list[str]]]:
    """Pieces of the answer, each with the level its prefix word names (or None)."""
    pieces: list[tuple[str | None, list[str]]] = []
    for chunk in _SEGMENT_BREAK.split(text):
        words = normalise_key(chunk).split()
        current: list[str] = []
        hint: str | None = None
        for word in words:
            if word in _PREFIX_LEVEL:
                if current:
                    pieces.append((hint, current))
                hint, current = _PREFIX_LEVEL[word], []
                continue
            current.append(word)
        if current:
            pieces.append((hint, current))
    return pieces


def _trimmed(words: list[str]) -> list[str]:
    """The words without what is said around a name ("di", "min", "kak")."""
    while words and words[0] in _FILLERS:
        words = words[1:]
    while words and words[-1] in _FILLERS:
        words = words[:-1]
    return words


def _regency_named(phrase: str) -> Place | None:
    name = canonical_region(phrase)
    return gazetteer().regency(name) if name else None


def _mentions(text: str) -> tuple[_Mentions, list[tuple[str | None, list[str]]]]:
    """Every place named in the answer, longest names first; a prefix word decides the level."""
    found = _Mentions()
    segments = _segments(text)
    places = gazetteer()
    for index, (hint, words) in enumerate(segments):
        taken = [False] * len(words)
        for size in range(min(len(words), MAX_NAME_WORDS + 1), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                hits: list[Place] = []
                for level in (hint,) if hint else LEVELS:
                    if level == REGENCY:
                        regency = _regency_named(phrase)
                        hits.extend([regency] if regency else [])
                    elif level is not None:
                        hits.extend(places.named(level, phrase))
                if hits:
                    # "kalianda" names Lampung Selatan by a kecamatan of it: the kecamatan.
                    named = [p for p in hits if p.level == REGENCY]
                    if named and compact_key(named[0].name) != compact_key(phrase):
                        inside = [p for p in hits if p.level == DISTRICT and _inside(p, named[0])]
                        hits = inside or hits
                    span = index * 100 + start  # where it was said: earlier is the answer
                    for place in hits:
                        found.add(place, span)
                    taken[start : start + size] = [True] * size
    return found, segments


def read_place(
    text: str,
    asked: str,
    *,
    kabupaten_kota: str | None = None,
    kecamatan: str | None = None,
    close: bool = True,
) -> PlaceReading:
    """Read an answer to the question for ``asked`` (a level), knowing the places above it.

    ``close=False`` reads names only as written (for places found in a longer message).
    """
    right = correction(text)
    corrected = right is not None
    answer = right if right is not None else (text or "")
    places = gazetteer()
    known_regency = places.regency(kabupaten_kota) if kabupaten_kota else None
    known_district = _place_of(DISTRICT, kecamatan, known_regency)
    mentions, segments = _mentions(answer)

    regencies = mentions.of(REGENCY)
    regency = regencies[0] if len(regencies) == 1 else None
    if asked == REGENCY and regency is not None:
        return _deepen(PlaceReading(_location_of(regency), corrected=corrected), mentions, regency)
    regency = regency or known_regency
    # What the answer may name: the asked level and below; a correction may also
    # name the kecamatan when the desa is asked ("eh salah, kecamatannya Rajabasa").
    levels = [level for level in LEVELS[LEVELS.index(asked) :] if level != REGENCY]
    district_scope = None
    if asked == VILLAGE:
        named = [d for d in mentions.of(DISTRICT) if _inside(d, regency)]
        district_scope = named[0] if len(named) == 1 else known_district
        if corrected:
            levels.insert(0, DISTRICT)
    # (where to look, whether one match there is the answer): first inside what is
    # known; a desa elsewhere in the kabupaten only for a correction; anywhere else
    # a match is offered as a choice, never taken.
    scopes: list[tuple[Place | None, bool]] = [(district_scope or regency, True)]
    if district_scope is not None:
        # One desa of that name in the kabupaten, in another kecamatan than the one
        # given: the gazetteer knows where it lies (kecamatan have been split), and the
        # summary shows it for the resident to correct.
        scopes.append((regency, True))
    if regency is not None:
        scopes.append((None, False))
    for scope, take_one in scopes:
        for level in levels:
            found = [p for p in mentions.of(level) if _inside(p, scope)]
            if level == DISTRICT and len(found) > 1:
                # "Sidodadi, Kedaton": the desa named says which kecamatan.
                holding = [d for d in found if any(_inside(v, d) for v in mentions.of(VILLAGE))]
                found = holding or found
            if not found:
                continue
            if len({mentions.spans[p.code] for p in found}) > 1:
                # "Sidodadi, Kedaton" to the desa question: what comes first is the answer.
                first = min(mentions.spans[p.code] for p in found)
                found = [p for p in found if mentions.spans[p.code] == first]
            if len(found) == 1 and take_one:
                reading = PlaceReading(_location_of(found[0]), corrected=corrected)
                return _deepen(reading, mentions, found[0])
            if len(found) > MAX_CANDIDATES:
                return PlaceReading(corrected=corrected)
            if not take_one and close:
                # A word of the answer names a place elsewhere ("gedung" in "gedung
                # tatan"), but the answer is a close spelling of a name in scope.
                near = _close(segments, asked, district_scope or regency, corrected)
                if near.location is not None:
                    return near
            return PlaceReading(
                candidates=tuple(_location_of(p) for p in found), corrected=corrected
            )
    if not close:
        return PlaceReading(corrected=corrected)
    return _close(segments, asked, district_scope or regency, corrected)


def _deepen(reading: PlaceReading, mentions: _Mentions, place: Place) -> PlaceReading:
    """ "Kedaton, Sidodadi" answering the kecamatan question gives the desa too."""
    span = mentions.spans.get(place.code)
    for level in LEVELS[LEVELS.index(place.level) + 1 :]:
        inside = [
            p
            for p in mentions.of(level)
            if _inside(p, place) and mentions.spans.get(p.code) != span
        ]
        if len(inside) == 1:
            return PlaceReading(_location_of(inside[0]), corrected=reading.corrected)
    return reading


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _close(
    segments: list[tuple[str | None, list[str]]],
    asked: str,
    scope: Place | None,
    corrected: bool,
) -> PlaceReading:
    """A close spelling of one name in scope, else up to three names to offer."""
    pieces = [words for _, words in segments if _trimmed(words)]
    if not pieces:
        return PlaceReading(corrected=corrected)
    words = _trimmed(pieces[0])
    if len(words) > MAX_NAME_WORDS:
        return PlaceReading(corrected=corrected)
    typed = compact_key(" ".join(words))
    if len(typed) < 3:
        return PlaceReading(corrected=corrected)
    if asked == REGENCY:
        options = [gazetteer().regency(name) for name in region_names()]
        pool = [p for p in options if p is not None]
    elif scope is not None:
        pool = list(gazetteer().within(scope, asked)) if scope.level != asked else [scope]
    else:
        pool = list(gazetteer().level(asked))
    scored = sorted(((_ratio(typed, compact_key(p.name)), p) for p in pool), key=lambda s: -s[0])
    if not scored:
        return PlaceReading(corrected=corrected)
    best, place = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best >= ACCEPT_RATIO and best - runner_up >= ACCEPT_MARGIN:
        return PlaceReading(_location_of(place), corrected=corrected)
    close = [p for ratio, p in scored[:MAX_SUGGESTIONS] if ratio >= SUGGEST_RATIO]
    return PlaceReading(suggestions=tuple(_location_of(p) for p in close), corrected=corrected)


def contains(location: Location, level: str, name: str) -> bool:
    """Whether a place of ``level`` called ``name`` is inside ``location``."""
    scope = _place_of(REGENCY, location.kabupaten_kota, None)
    if location.kecamatan:
        scope = _place_of(DISTRICT, location.kecamatan, scope) or scope
    return any(_inside(p, scope) for p in gazetteer().named(level, name))


def official_name(level: str, text: str) -> str | None:
    """The official spelling of a kecamatan/desa name, when every place of that name shares it."""
    names = {p.name for p in gazetteer().named(level, text)}
    return names.pop() if len(names) == 1 else None


def title_name(text: str) -> str:
    """Title case with Roman numerals upper case ("jagabaya iii" → "Jagabaya III")."""
    return " ".join(
        w.upper() if _ROMAN.match(w) else w[:1].upper() + w[1:].lower() for w in text.split()
    )
