"""Answers several forms share: NIK, phone, plate and the numbered lists from ``bot/data``.

Readers for :attr:`actions.forms.TabikFormValidator.readers`, and the
``action_ask_<slot>`` actions that show numbered lists built from ``bot/data``
(so the list shown and the number typed always agree). The place questions
are in :mod:`actions.places`.
"""

from __future__ import annotations

import re
from functools import partial

from rasa_sdk import Action

from actions.choices import AskFromVocabulary, resolve_choice
from actions.forms import Reader, Rejected
from bot.domain.errors import InvalidNik
from bot.domain.nik import validate_nik
from bot.domain.readings import canonical_phone, canonical_plate

LAMPUNG_PLATE_PREFIX = "BE"
NAME_MIN, NAME_MAX = 3, 80


def normalise_phone(text: str) -> str | None:
    """National form ``08…``, the same reading the NLU pipeline uses."""
    return canonical_phone(text)


def normalise_plate(text: str) -> str | None:
    """``BE 1234 AB``, the same reading the NLU pipeline uses."""
    return canonical_plate(text)


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text or "")


# ---------------------------------------------------------------------------
# Readers (TabikFormValidator.readers)
# ---------------------------------------------------------------------------


def choice_reader(kind: str) -> Reader:
    """Reads an answer to a numbered list: a typed number, a canonical value or an alias."""
    return partial(resolve_choice, kind)


# One number in the answer ("nik saya 1871 0115 ..."): the words around it are not the NIK.
_ONE_NUMBER = re.compile(r"\d(?:[\d\s.\-]*\d)?")


def read_nik(text: str) -> str:
    """A valid NIK; a wrong one is refused with the reply that says what is wrong with it.

    "nik saya 18710115" has 8 digits: it is told so, not that it contains letters.
    """
    numbers = _ONE_NUMBER.findall(text or "")
    if len(numbers) == 1:
        text = numbers[0]
    try:
        return validate_nik(text)
    except InvalidNik as error:
        reply = f"utter_invalid_nik_{error.reason}"
        raise Rejected(reply, digit_count=digit_count(text)) from error


def read_plate(text: str) -> str | None:
    """A Lampung plate (``BE …``); one from elsewhere is refused with its own reply."""
    plate = normalise_plate(text)
    if plate is not None and not plate.startswith(LAMPUNG_PLATE_PREFIX + " "):
        raise Rejected("utter_plate_not_lampung", plate=plate)
    return plate


# ---------------------------------------------------------------------------
# Asking with numbered lists
# ---------------------------------------------------------------------------


class ActionAskDocumentType(AskFromVocabulary, Action):
    kind = "document_type"


class ActionAskCommodity(AskFromVocabulary, Action):
    kind = "commodity"


class ActionAskComplaintCategory(AskFromVocabulary, Action):
    kind = "complaint_category"
