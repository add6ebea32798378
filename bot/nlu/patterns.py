"""Deterministic entities: ticket numbers, NIKs, phone numbers and number plates.

Each finder returns canonical values (see docs/interface.md) with the span of the text
the resident typed. The same functions (from ``bot.domain.readings``)
canonicalise a span another extractor found, so every path yields one form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain import tickets
from bot.domain.readings import PLATE_SHAPE, canonical_nik, canonical_phone, canonical_plate


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int


_NIK = re.compile(r"(?<![\d+])\d(?:[ .\-]?\d){15}(?![\d])")
_PHONE = re.compile(r"(?<![\d])(\+?\s?62|0)[\s\-.]?(8\d(?:[\s\-.]?\d){6,11})(?![\d])")


def canonical_ticket(text: str) -> str | None:
    return tickets.canonical(text)


CANONICALISERS = {
    "ticket_id": canonical_ticket,
    "nik": canonical_nik,
    "phone_number": canonical_phone,
    "plate_number": canonical_plate,
}


def find_all(text: str, *, any_plate_region: bool = False) -> Iterator[Found]:
    """Every deterministic entity in the text, without overlaps (tickets first)."""
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in tickets.TICKET_PATTERN.finditer(text):
        value = tickets.canonical(match.group(0))
        if value:
            taken.append((match.start(), match.end()))
            yield Found("ticket_id", value, match.start(), match.end())
    for match in _NIK.finditer(text):
        nik = canonical_nik(match.group(0))
        if nik and free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            yield Found("nik", nik, match.start(), match.end())
    for match in _PHONE.finditer(text):
        phone = canonical_phone(match.group(0))
        if phone and free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            yield Found("phone_number", phone, match.start(), match.end())
    for match in PLATE_SHAPE.finditer(text):
        plate = canonical_plate(match.group(0), any_region=any_plate_region)
        if plate and free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            yield Found("plate_number", plate, match.start(), match.end())
