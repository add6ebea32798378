"""One reading of the numbers residents type: NIK, phone number, number plate.

The NLU pipeline (``bot.nlu.patterns``) and the form validators in ``actions``
both call these, so a value has one canonical form wherever it was read:

* NIK: 16 digits, no spaces;
* phone number: the national form starting ``08`` (``+62 813…`` → ``0813…``),
  parsed by the ``phonenumbers`` library as an Indonesian number;
* plate: ``BE 1234 AB`` (region, number, suffix, single spaces, upper case).

Each returns None when the text is not such a value.
"""

from __future__ import annotations

import re

import phonenumbers

__all__ = ["PLATE_REGIONS", "PLATE_SHAPE", "canonical_nik", "canonical_phone", "canonical_plate"]

INDONESIA = "ID"
INDONESIA_CALLING_CODE = 62
# Mobile numbers only (08…): officers call back or message on WhatsApp.
MOBILE_PREFIX = "08"
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 10, 13

# Indonesian plate region codes; "BE" is Lampung's.
PLATE_REGIONS = frozenset(
    "A B D E F G H K L M N P R S T W Z AA AB AD AE AG BA BB BD BE BG BH BK BL BM BN BP "
    "DA DB DC DD DE DG DH DK DL DM DN DR DS DT DW EA EB ED KB KH KT KU PA PB".split()
)
PLATE_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2})[\s\-.]*(\d{1,4})[\s\-.]*([A-Za-z]{1,3})(?![A-Za-z0-9])"
)
_NOT_DIGIT = re.compile(r"\D")
_NOT_DIALLED = re.compile(r"[^\d+]")


def canonical_nik(text: str) -> str | None:
    digits = _NOT_DIGIT.sub("", text or "")
    # 16 digits starting like a phone number are a phone number, not a NIK.
    if len(digits) != 16 or digits.startswith(("08", "628")):
        return None
    return digits


def canonical_phone(text: str) -> str | None:
    # Only digits and "+" reach the parser: it would read letters as keypad digits.
    dialled = _NOT_DIALLED.sub("", text or "")
    try:
        number = phonenumbers.parse(dialled, INDONESIA)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != INDONESIA_CALLING_CODE or not phonenumbers.is_possible_number(number):
        return None
    national = "0" + str(number.national_number)
    if not national.startswith(MOBILE_PREFIX):
        return None
    if not PHONE_DIGITS_MIN <= len(national) <= PHONE_DIGITS_MAX:
        return None
    return national


def canonical_plate(text: str, *, any_region: bool = True) -> str | None:
    match = PLATE_SHAPE.fullmatch((text or "").strip())
    if match is None:
        return None
    region, number, suffix = match[1].upper(), match[2], match[3].upper()
    if region not in PLATE_REGIONS or (not any_region and region != "BE"):
        return None
    return f"{region} {number} {suffix}"
