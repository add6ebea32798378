"""Canonical vocabularies: regions, document types, complaint categories, commodities.

Loaded from ``bot/data/*.yml`` (editable without touching Python) and cached.
Every alias lookup goes through :func:`normalise_key`, so "Lam-Sel", "lamsel"
and "LAMSEL " all meet the same entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.domain.gazetteer import DISTRICT, REGENCY, gazetteer, normalise_key

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

ENTITY_VOCABULARIES = ("document_type", "complaint_category", "commodity")

__all__ = ["normalise_key"]  # re-exported: aliases and places share one key


def load_yaml(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass(frozen=True)
class Region:
    name: str
    kind: str  # "kota" or "kabupaten"
    code: str  # Kemendagri, dotted: "18.71"
    seat: str
    aliases: tuple[str, ...]
    kecamatan: tuple[str, ...]

    @property
    def display_name(self) -> str:
        return f"Kota {self.name}" if self.kind == "kota" else f"Kabupaten {self.name}"

    @property
    def nik_prefix(self) -> str:
        """The first four digits of a NIK issued here: the code without its dot."""
        return self.code.replace(".", "")


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """The gazetteer's kabupaten/kota (code, kind, kecamatan) with our aliases and seat.

    In the order of ``regions.yml``, which is the order of the numbered list residents see.
    """
    ours = load_yaml("regions.yml")["regions"]
    places = gazetteer()
    found = []
    for entry in ours:
        regency = places.regency(entry["name"])
        if regency is None or regency.name != entry["name"]:
            raise ValueError(f"regions.yml: {entry['name']} is not an official kabupaten/kota")
        found.append(
            Region(
                name=regency.name,
                kind=regency.kind,
                code=regency.code,
                seat=entry["seat"],
                aliases=tuple(entry.get("aliases", ())),
                kecamatan=tuple(p.name for p in places.within(regency, DISTRICT)),
            )
        )
    missing = {p.name for p in places.level(REGENCY)} - {r.name for r in found}
    if missing:
        raise ValueError(f"regions.yml has no entry for {sorted(missing)}")
    return tuple(found)


def region_names() -> list[str]:
    return [r.name for r in regions()]


@lru_cache(maxsize=1)
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for region in regions():
        for alias in (region.name, *region.aliases):
            index[normalise_key(alias)] = region.name
        index[normalise_key(f"kabupaten {region.name}")] = region.name
        index[normalise_key(f"kab {region.name}")] = region.name
        index[normalise_key(f"kota {region.name}")] = region.name
    return index


def canonical_region(text: str) -> str | None:
    """Official kabupaten/kota name for what a resident typed, or None."""
    return _region_index().get(normalise_key(text))


def region_by_name(name: str) -> Region | None:
    return next((r for r in regions() if r.name == name), None)


def region_by_code(code: str) -> Region | None:
    """The kabupaten/kota of a code, dotted ("18.01") or as a NIK starts ("1801")."""
    return next((r for r in regions() if code in (r.code, r.nik_prefix)), None)


def find_kecamatan(text: str) -> tuple[str, str] | None:
    """(kecamatan, kabupaten/kota) for a kecamatan name only one kabupaten/kota has, or None.

    "Rajabasa" (Bandar Lampung) and "Raja Basa" (Lampung Selatan) share a key:
    such a name alone says no kabupaten (``bot.domain.places`` asks which).
    """
    places = gazetteer()
    found = places.named(DISTRICT, text)
    if len(found) != 1:
        return None
    regency = places.by_code(found[0].parent_code)
    return (found[0].name, regency.name) if regency else None


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, dict[str, dict[str, Any]]]:
    data = load_yaml("vocabulary.yml")
    return {kind: data[kind] for kind in ENTITY_VOCABULARIES}


@cache
def _alias_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, entry in vocabularies()[kind].items():
        index[normalise_key(value)] = value
        for alias in entry.get("aliases", ()):
            index[normalise_key(alias)] = value
    return index


def canonical_value(kind: str, text: str) -> str | None:
    """Canonical value of a vocabulary entity (e.g. ``document_type``) or None."""
    if kind == "kabupaten_kota":
        return canonical_region(text)
    return _alias_index(kind).get(normalise_key(text))


def values(kind: str) -> list[str]:
    if kind == "kabupaten_kota":
        return region_names()
    return list(vocabularies()[kind])


def label(kind: str, value: str) -> str:
    if kind == "kabupaten_kota":
        region = region_by_name(value)
        return region.display_name if region else value
    return str(vocabularies()[kind][value].get("label", value))


def aliases(kind: str) -> Iterable[str]:
    if kind == "kabupaten_kota":
        return _region_index().keys()
    return _alias_index(kind).keys()


# "kec. Natar", "desa Hajimena", "pekon Sukamaju": the prefix is not part of the name.
PLACE_PREFIXES = re.compile(
    r"^(?:kecamatan|kec|kel|kelurahan|desa|ds|dsa|kampung|kmp|pekon|tiyuh|dusun|dsn|"
    r"kabupaten|kab|kota|kt)\.?\s+",
    re.IGNORECASE,
)


def _title(text: str) -> str:
    return " ".join(part[:1].upper() + part[1:].lower() for part in text.split())


def canonical_place(text: str) -> str | None:
    cleaned = re.sub(r"[^\w\s'\-]", " ", text or "").strip()
    while True:
        stripped = PLACE_PREFIXES.sub("", cleaned)
        if stripped == cleaned:
            break
        cleaned = stripped
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return _title(cleaned) if cleaned else None
