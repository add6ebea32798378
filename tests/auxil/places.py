"""Real kelurahan/desa of Lampung, by kecamatan, for tests of answers to place questions.

The table is ``places.yml`` beside this file. Written from knowledge of the
province, not taken from the training data (several are deliberately absent
from it). Many look like other words to a model: "Sidodadi", "Way Dadi",
"Yosodadi" (~ "gak jadi"), "Surabaya", "Yogyakarta", "Kediri" (Javanese
colonists named villages after home), "Kedaton" (a desa of Kalianda as well as
a kecamatan of Bandar Lampung).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Kecamatan:
    name: str
    region: str  # official kabupaten/kota name
    region_typed: str  # how a resident names the region
    prefix: str  # what residents put before a desa name there
    desa: tuple[str, ...]


def _load(path: Path) -> tuple[Kecamatan, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Kecamatan(e["kecamatan"], e["region"], e["typed"], e["prefix"], tuple(e["desa"]))
        for e in entries
    )


KECAMATAN = _load(Path(__file__).with_name("places.yml"))


def spellings(kecamatan: Kecamatan, desa: str) -> list[tuple[str, str]]:
    """(typed, expected name) pairs: the ways residents type one desa name."""
    expected = desa
    return [
        (desa, expected),
        (desa.lower(), expected),
        (desa.upper(), expected),
        (f"{kecamatan.prefix} {desa.lower()}", expected),
        (f"{desa.lower()} min", expected),
        (f"di {desa} kak", expected),
        (f"{desa}, {kecamatan.name.lower()}", expected),
    ]


def every_spelling() -> list[tuple[Kecamatan, str, str]]:
    return [(k, typed, name) for k in KECAMATAN for d in k.desa for typed, name in spellings(k, d)]


def every_desa() -> list[tuple[Kecamatan, str]]:
    return [(k, d) for k in KECAMATAN for d in k.desa]
