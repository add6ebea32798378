"""What the knowledge base knows: requirements, offices, emergency numbers.

Plain frozen objects read from ``bot/data/knowledge/*.yml`` by
:mod:`bot.adapters.knowledge`; :class:`KnowledgeBase` answers the questions
actions ask. Nothing here reads files or talks to the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.domain.errors import with_message
from bot.domain.office_hours import OfficeHours, OfficeSchedule
from bot.domain.vocabulary import canonical_region

__all__ = [
    "EMERGENCY_112",
    "OFFICE_KINDS",
    "EmergencyContact",
    "KnowledgeBase",
    "Office",
    "OfficeHours",
    "OfficeSchedule",
    "Requirement",
]

OFFICE_KINDS = ("disdukcapil", "mpp", "samsat")
EMERGENCY_112 = "112"


class KnowledgeError(Exception):
    """Base of every knowledge-base error."""


@with_message("{file}: {entry}: {problem}")
class KnowledgeFileError(KnowledgeError):
    """A data file is wrong; names the file and the entry so an admin can fix it."""

    file: Path
    entry: str
    problem: str


class MissingEntry(KnowledgeFileError):
    """A document type, region or required field is absent from a data file."""


class InvalidEntry(KnowledgeFileError):
    """An entry is present but malformed (wrong type, unknown key, bad date...)."""


class UnknownName(KeyError):
    """The knowledge base has no entry by this name; ``what`` says what kind of name."""

    what = "name"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown {self.what} {self.name!r}"


class UnknownDocumentType(UnknownName):
    what = "document type"

    @property
    def document_type(self) -> str:
        return self.name


class UnknownRegion(UnknownName):
    what = "kabupaten/kota"

    @property
    def kabupaten_kota(self) -> str:
        return self.name


@with_message(f"unknown office kind {{kind!r}}; expected one of {OFFICE_KINDS}")
class UnknownOfficeKind(ValueError):
    kind: str


@dataclass(frozen=True)
class Requirement:
    document_type: str
    label: str
    items: tuple[str, ...]
    where: str
    duration: str
    fee: str
    notes: tuple[str, ...]
    last_checked: date


@dataclass(frozen=True)
class Office:
    kind: str  # one of OFFICE_KINDS
    name: str
    kabupaten_kota: str
    address: str
    hours: tuple[OfficeHours, ...]
    phone: str | None
    note: str | None
    last_checked: date


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    number: str
    kind: str
    note: str | None
    # None for national numbers, the official region name for local ones.
    kabupaten_kota: str | None = None


class KnowledgeBase:
    """Read-only answers from the loaded data; build it with :func:`load_knowledge`."""

    def __init__(
        self,
        *,
        requirements: Mapping[str, Requirement],
        offices: Mapping[str, Sequence[Office]],
        national_emergency: Sequence[EmergencyContact],
        local_emergency: Mapping[str, Sequence[EmergencyContact]],
        office_schedule: OfficeSchedule,
        region_notes: Mapping[str, str] | None = None,
    ) -> None:
        # The provincial offices' usual hours: when officers answer a handoff.
        self.office_schedule = office_schedule
        self._requirements = dict(requirements)
        self._offices = {region: tuple(items) for region, items in offices.items()}
        # 112 first whatever order the file has: it is the one number to remember.
        self._national = tuple(sorted(national_emergency, key=lambda c: c.number != EMERGENCY_112))
        self._local = {region: tuple(items) for region, items in local_emergency.items()}
        self._region_notes = dict(region_notes or {})

    def document_types(self) -> list[str]:
        return list(self._requirements)

    def requirements(self, document_type: str) -> Requirement:
        try:
            return self._requirements[document_type]
        except KeyError:
            raise UnknownDocumentType(document_type) from None

    def regions(self) -> list[str]:
        return list(self._offices)

    def _region(self, kabupaten_kota: str) -> str:
        if kabupaten_kota in self._offices:
            return kabupaten_kota
        # Actions pass official names; an alias ("lamsel") still works for callers that don't.
        canonical = canonical_region(kabupaten_kota)
        if canonical is None or canonical not in self._offices:
            raise UnknownRegion(kabupaten_kota)
        return canonical

    def offices(self, kabupaten_kota: str, kind: str | None = None) -> list[Office]:
        """Offices of a kabupaten/kota, Disdukcapil first, then MPP, then Samsat."""
        if kind is not None and kind not in OFFICE_KINDS:
            raise UnknownOfficeKind(kind)
        region = self._region(kabupaten_kota)
        found = [o for o in self._offices[region] if kind is None or o.kind == kind]
        return sorted(found, key=lambda o: OFFICE_KINDS.index(o.kind))

    def region_note(self, kabupaten_kota: str) -> str | None:
        """Free-text remark about a region's offices (e.g. MPP not yet verified)."""
        return self._region_notes.get(self._region(kabupaten_kota))

    def emergency_numbers(self, kabupaten_kota: str | None = None) -> list[EmergencyContact]:
        """112 first, then the other national numbers, then the region's own (if any)."""
        contacts = list(self._national)
        if kabupaten_kota is not None:
            contacts.extend(self._local.get(self._region(kabupaten_kota), ()))
        return contacts
