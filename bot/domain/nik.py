"""NIK (Nomor Induk Kependudukan): validation, region and masking.

A NIK is 16 digits: province (2), kabupaten/kota (2), kecamatan (2), birth
date DDMMYY (6; women add 40 to the day), serial (4, never 0000). Checks here
are what can be known offline; whether the NIK exists is Dukcapil's business.
"""

from __future__ import annotations

import re
from datetime import date

from bot.domain.errors import InvalidNik
from bot.domain.vocabulary import Region, region_by_code, regions

NIK_LENGTH = 16
LAMPUNG_PROVINCE = "18"

# Kemendagri province codes. Papua's codes moved when the province was split
# (2022), and NIKs issued before and after are both in use, so 91-97 all pass.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96", "97",
    }
)  # fmt: skip

# Residents type NIKs copied from a KTP with spaces, dots or dashes between groups.
_SEPARATORS = re.compile(r"[\s.\-]+")


def _real_birth_date(digits: str) -> bool:
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if day > 40:
        day -= 40
    # The century is not in the NIK; a date real in either century is accepted
    # (29 February of "00" exists in 2000, not in 1900).
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def validate_nik(text: str) -> str:
    """The NIK as 16 digits, or raise :class:`InvalidNik` with the first reason found."""
    cleaned = _SEPARATORS.sub("", text or "")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise InvalidNik("not_digits", text)
    if len(cleaned) != NIK_LENGTH:
        raise InvalidNik("length", text)
    if cleaned[:2] not in PROVINCE_CODES:
        raise InvalidNik("region", text)
    if cleaned[:2] == LAMPUNG_PROVINCE and cleaned[:4] not in {r.nik_prefix for r in regions()}:
        raise InvalidNik("region", text)
    if not _real_birth_date(cleaned[6:12]):
        raise InvalidNik("birth_date", text)
    if cleaned[12:] == "0000":
        raise InvalidNik("serial", text)
    return cleaned


def nik_region(nik: str) -> Region | None:
    """The Lampung kabupaten/kota that issued a NIK, or None (other provinces, malformed)."""
    return region_by_code(nik[:4]) if len(nik) >= 4 else None


def mask_nik(nik: str) -> str:
    """``1871********0001``: region and serial only, as shown to residents and in logs."""
    if len(nik) < 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
