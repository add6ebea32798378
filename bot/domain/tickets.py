"""Ticket numbers (docs/interface.md): the one place that knows their format.

``ADU-YYMMDD-XXXX`` for a complaint (aduan), ``MHN-YYMMDD-XXXX`` for a service
application (permohonan). ``XXXX`` is 4+ characters from an alphabet without
look-alikes (no 0/O, 1/I/L). Residents type them in any case, with spaces or
dashes, so parsing is tolerant and always returns the canonical form.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import date

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SUFFIX_LENGTH = 4


class TicketKind(str, enum.Enum):
    COMPLAINT = "ADU"
    APPLICATION = "MHN"


class InvalidTicketNumber(ValueError):
    """Raised when text cannot be read as a ticket number; carries the text."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a ticket number: {text!r}")
        self.text = text


# Date digits typed with letters (o→0, i/l→1) are forgiven: they cannot be
# anything else there. The suffix alphabet has no look-alikes to forgive.
_DATE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})

_SEP = r"[\s\-_./:#]*"
TICKET_PATTERN = re.compile(
    rf"(?<![A-Za-z0-9])(?P<kind>ADU|MHN){_SEP}(?P<date>[0-9OIL]{{6}}){_SEP}"
    rf"(?P<suffix>[{ALPHABET}]{{{SUFFIX_LENGTH},8}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
CANONICAL_PATTERN = re.compile(rf"^(ADU|MHN)-\d{{6}}-[{ALPHABET}]{{{SUFFIX_LENGTH},8}}$")


@dataclass(frozen=True)
class TicketNumber:
    kind: TicketKind
    issued: str  # YYMMDD as typed on the ticket
    suffix: str

    def __str__(self) -> str:
        return f"{self.kind.value}-{self.issued}-{self.suffix}"


def generate(kind: TicketKind, on: date, *, length: int = SUFFIX_LENGTH) -> TicketNumber:
    """A fresh random number; uniqueness is the database's job (constraint + retry)."""
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return TicketNumber(kind=kind, issued=on.strftime("%y%m%d"), suffix=suffix)


def find(text: str) -> TicketNumber | None:
    """The first ticket number inside free text, canonicalised, or None."""
    match = TICKET_PATTERN.search(text or "")
    if match is None:
        return None
    return TicketNumber(
        kind=TicketKind(match["kind"].upper()),
        issued=match["date"].upper().translate(_DATE_FIXES),
        suffix=match["suffix"].upper(),
    )


def parse(text: str) -> TicketNumber:
    """Read a ticket number typed by a resident; raise InvalidTicketNumber if it is not one."""
    found = find(text)
    if found is None:
        raise InvalidTicketNumber(text)
    return found


def canonical(text: str) -> str | None:
    """Canonical string form (``ADU-261128-7KQ2``) or None."""
    found = find(text)
    return str(found) if found else None


def looks_like_attempt(text: str) -> bool:
    """True when text seems meant as a ticket number but is malformed (for specific help)."""
    return bool(re.search(r"\b(adu|mhn)\b|\b(adu|mhn)[\s\-]*\d", text or "", re.IGNORECASE))
