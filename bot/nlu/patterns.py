"""Deterministic entities: ticket numbers, NIKs, phone numbers and number plates.

Each finder returns canonical values (CONTRACT §4) with the span of the text
the resident typed. The same functions canonicalise a span another extractor
found, so every path yields one form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain import tickets


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int


_NIK = re.compile(r"(?<![\d+])\d(?:[ .\-]?\d){15}(?![\d])")
_PHONE = re.compile(r"(?<![\d])(\+?\s?62|0)[\s\-.]?(8\d(?:[\s\-.]?\d){6,11})(?![\d])")
# Indonesian plate region codes; "BE" is Lampung's.
PLATE_REGIONS = frozenset(
    "A B D E F G H K L M N P R S T W Z AA AB AD AE AG BA BB BD BE BG BH BK BL BM BN BP "
    "DA DB DC DD DE DG DH DK DL DM DN DR DS DT DW EA EB ED KB KH KT KU PA PB".split()
)
_PLATE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2})[\s\-.]*(\d{1,4})[\s\-.]*([A-Za-z]{1,3})(?![A-Za-z0-9])"
)
_DIGITS = re.compile(r"\D")


def canonical_nik(text: str) -> str | None:
    digits = _DIGITS.sub("", text or "")
    if len(digits) != 16 or digits.startswith(("08", "628")):
        return None
    return digits


def canonical_phone(text: str) -> str | None:
    digits = _DIGITS.sub("", text or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if not digits.startswith("08") or not 10 <= len(digits) <= 13:
        return None
    return digits


def canonical_plate(text: str, *, any_region: bool = True) -> str | None:
    match = _PLATE.fullmatch((text or "").strip())
    if match is None:
        return None
    region, number, suffix = match[1].upper(), match[2], match[3].upper()
    if region not in PLATE_REGIONS or (not any_region and region != "BE"):
        return None
    return f"{region} {number} {suffix}"


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
    for match in _PLATE.finditer(text):
        plate = canonical_plate(match.group(0), any_region=any_plate_region)
        if plate and free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            yield Found("plate_number", plate, match.start(), match.end())
