"""Reading and checking ``bot/data/knowledge/*.yml``.

Admins edit these files by hand, so every problem is reported with the file
and the entry (``offices.yml: Metro.samsat: missing 'address'``) instead of a
KeyError deep inside an action. Each entry is a pydantic model with
``extra = forbid``: a typo such as ``adress`` would otherwise silently hide
data. Office hours are parsed too (``Senin–Kamis``, ``08.00–15.00 WIB``), since
the same rows decide whether officers are in (handoff) and are shown to residents.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import Extra, Field, StrictStr, ValidationError, validator

from bot.adapters.models import StrictModel
from bot.domain import vocabulary
from bot.domain.knowledge import (
    EMERGENCY_112,
    OFFICE_KINDS,
    EmergencyContact,
    InvalidEntry,
    KnowledgeBase,
    MissingEntry,
    Office,
    OfficeHours,
    OfficeSchedule,
    Requirement,
)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"
REQUIREMENTS_FILE = "requirements.yml"
OFFICES_FILE = "offices.yml"
EMERGENCY_FILE = "emergency.yml"

Entry = TypeVar("Entry", bound="_Entry")


class _Entry(StrictModel):
    """One mapping in a data file: unknown keys are errors (a typo would hide data)."""

    class Config:
        extra = Extra.forbid

    @validator("last_checked", pre=True, check_fields=False)
    def _iso_date(cls, value: Any) -> Any:
        # PyYAML already turns an unquoted 2026-11-28 into a date; a quoted one is text.
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        if not isinstance(value, date):
            raise ValueError(f"expected a date like 2026-11-28, got {value!r}")
        return value


def _quoted_number(value: Any) -> Any:
    # An unquoted 0721... loses its leading zero in YAML; insist on quotes.
    if isinstance(value, int):
        raise ValueError('write the number in quotes, e.g. "(0721) 000000"')
    if isinstance(value, str) and not any(ch.isdigit() for ch in value):
        raise ValueError("no digits in the number")
    return value


class _RequirementEntry(_Entry):
    label: StrictStr | None = None
    items: tuple[StrictStr, ...]
    where: StrictStr
    duration: StrictStr
    fee: StrictStr
    notes: tuple[StrictStr, ...] = ()
    last_checked: date

    @validator("items")
    def _not_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("list is empty")
        return value


class _HoursRow(_Entry):
    days: StrictStr
    hours: StrictStr


class _OfficeEntry(_Entry):
    name: StrictStr
    address: StrictStr
    hours: StrictStr | list[_HoursRow]  # a schedule's name or the rows themselves
    # Required even when unknown (null): whoever adds an office must think about it.
    phone: StrictStr | None = Field(...)
    note: StrictStr | None = None
    last_checked: date

    _phone = validator("phone", pre=True, allow_reuse=True)(_quoted_number)


class _ContactEntry(_Entry):
    name: StrictStr
    number: StrictStr
    kind: StrictStr
    note: StrictStr | None = None

    _number = validator("number", pre=True, allow_reuse=True)(_quoted_number)


def _entry(file: Path, name: str, model: type[Entry], data: Any) -> Entry:
    """``data`` read as ``model``; the first problem named by file and entry."""
    if not isinstance(data, Mapping):
        raise InvalidEntry(file, name, f"expected a mapping, got {type(data).__name__}")
    try:
        return model.parse_obj(data)
    except ValidationError as exc:
        errors = exc.errors()
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "value_error.extra")
    if unknown:
        raise InvalidEntry(file, name, f"unknown key(s) {unknown}")
    first = errors[0]
    key = str(first["loc"][0])
    if first["type"] == "value_error.missing":
        raise MissingEntry(file, name, f"missing {key!r}")
    raise InvalidEntry(file, f"{name}.{key}", first["msg"])


def _read(file: Path) -> Mapping[str, Any]:
    if not file.is_file():
        raise MissingEntry(file, "(file)", "file not found")
    try:
        with file.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise InvalidEntry(file, "(file)", f"not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise InvalidEntry(file, "(file)", "top level must be a mapping")
    return data


def _section(file: Path, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    section = data.get(key)
    if section is None:
        raise MissingEntry(file, key, "section missing")
    if not isinstance(section, Mapping):
        raise InvalidEntry(file, key, "expected a mapping")
    return section


def _check_names(
    file: Path, section_name: str, found: Mapping[str, Any], expected: list[str]
) -> None:
    for name in expected:
        if name not in found:
            raise MissingEntry(file, f"{section_name}.{name}", "entry missing")
    for name in found:
        if name not in expected:
            raise InvalidEntry(
                file, f"{section_name}.{name}", f"not a known value; expected one of {expected}"
            )


def load_requirements(file: Path) -> dict[str, Requirement]:
    data = _read(file)
    section = _section(file, data, "document_types")
    expected = vocabulary.values("document_type")
    _check_names(file, "document_types", section, expected)
    result: dict[str, Requirement] = {}
    for document_type in expected:
        name = f"document_types.{document_type}"
        entry = _entry(file, name, _RequirementEntry, section[document_type])
        # The label lives in vocabulary.yml (one place per fact); a file may override it.
        label = entry.label or vocabulary.label("document_type", document_type)
        result[document_type] = Requirement(
            document_type=document_type, label=label, **entry.dict(exclude={"label"})
        )
    return result


REQUIRED_KINDS = ("disdukcapil", "samsat")
# The usual government hours; handoffs tell residents when officers answer.
STANDARD_SCHEDULE = "kantor"


class _RegionEntry(_Entry):
    note: StrictStr | None = None
    # Each kind: one office (a mapping) or several (a list); read by _OfficeEntry.
    disdukcapil: Any = None
    mpp: Any = None
    samsat: Any = None


def _rows(file: Path, name: str, raw: Any) -> tuple[OfficeHours, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidEntry(file, name, "expected a schedule name or a list of {days, hours}")
    rows = []
    for index, item in enumerate(raw):
        row = _entry(file, f"{name}[{index}]", _HoursRow, item)
        try:
            rows.append(OfficeHours.parse(row.days, row.hours))
        except ValueError as exc:
            raise InvalidEntry(file, f"{name}[{index}]", str(exc)) from None
    return tuple(rows)


def _hours(
    file: Path,
    name: str,
    hours: str | list[_HoursRow],
    schedules: Mapping[str, tuple[OfficeHours, ...]],
) -> tuple[OfficeHours, ...]:
    if isinstance(hours, str):
        if hours not in schedules:
            raise InvalidEntry(
                file, name, f"unknown schedule {hours!r}; defined: {sorted(schedules)}"
            )
        return schedules[hours]
    return _rows(file, name, [row.dict() for row in hours])


def load_offices(
    file: Path,
) -> tuple[dict[str, list[Office]], dict[str, str], OfficeSchedule]:
    data = _read(file)
    schedules_raw = data.get("schedules") or {}
    if not isinstance(schedules_raw, Mapping):
        raise InvalidEntry(file, "schedules", "expected a mapping of name -> list of hours")
    schedules = {
        str(name): _rows(file, f"schedules.{name}", raw) for name, raw in schedules_raw.items()
    }
    if STANDARD_SCHEDULE not in schedules:
        raise MissingEntry(file, f"schedules.{STANDARD_SCHEDULE}", "schedule missing")
    section = _section(file, data, "regions")
    expected = vocabulary.region_names()
    _check_names(file, "regions", section, expected)

    offices: dict[str, list[Office]] = {}
    notes: dict[str, str] = {}
    for region in expected:
        region_entry = _entry(file, f"regions.{region}", _RegionEntry, section[region])
        if region_entry.note:
            notes[region] = region_entry.note
        found: list[Office] = []
        for kind in OFFICE_KINDS:
            raw = getattr(region_entry, kind)
            if raw is None:
                if kind in REQUIRED_KINDS:
                    raise MissingEntry(file, f"regions.{region}.{kind}", "entry missing")
                continue
            # A region may have several offices of one kind (e.g. more than one Samsat).
            items = raw if isinstance(raw, list) else [raw]
            for index, item in enumerate(items):
                name = f"regions.{region}.{kind}" + (f"[{index}]" if isinstance(raw, list) else "")
                entry = _entry(file, name, _OfficeEntry, item)
                found.append(
                    Office(
                        kind=kind,
                        name=entry.name,
                        kabupaten_kota=region,
                        address=entry.address,
                        hours=_hours(file, f"{name}.hours", entry.hours, schedules),
                        phone=entry.phone,
                        note=entry.note,
                        last_checked=entry.last_checked,
                    )
                )
        offices[region] = found
    return offices, notes, OfficeSchedule(schedules[STANDARD_SCHEDULE])


def _contacts(file: Path, name: str, raw: Any, region: str | None) -> list[EmergencyContact]:
    if not isinstance(raw, list):
        raise InvalidEntry(file, name, "expected a list (use [] when none)")
    contacts = []
    for index, item in enumerate(raw):
        entry = _entry(file, f"{name}[{index}]", _ContactEntry, item)
        contacts.append(
            EmergencyContact(
                name=entry.name,
                number=entry.number,
                kind=entry.kind,
                note=entry.note,
                kabupaten_kota=region,
            )
        )
    return contacts


class _EmergencyHeader(_Entry):
    """The file's own date; ``national`` and ``local`` are read entry by entry."""

    class Config:
        extra = Extra.ignore

    last_checked: date


def load_emergency(file: Path) -> tuple[list[EmergencyContact], dict[str, list[EmergencyContact]]]:
    data = _read(file)
    _entry(file, "(file)", _EmergencyHeader, data)
    national_raw = data.get("national")
    if not isinstance(national_raw, list) or not national_raw:
        raise MissingEntry(file, "national", "expected a non-empty list of numbers")
    national = _contacts(file, "national", national_raw, None)
    if not any(c.number == EMERGENCY_112 for c in national):
        raise MissingEntry(file, "national", "112 (the national emergency number) is missing")
    section = _section(file, data, "local")
    expected = vocabulary.region_names()
    _check_names(file, "local", section, expected)
    local = {
        region: _contacts(file, f"local.{region}", section[region] or [], region)
        for region in expected
    }
    return national, local


def load_knowledge(path: Path | None = None) -> KnowledgeBase:
    """Read and check the three knowledge files in ``path`` (default ``bot/data/knowledge``).

    Raises :class:`MissingEntry` / :class:`InvalidEntry` naming the file and entry.
    """
    directory = Path(path) if path is not None else DEFAULT_DIR
    requirements = load_requirements(directory / REQUIREMENTS_FILE)
    offices, notes, schedule = load_offices(directory / OFFICES_FILE)
    national, local = load_emergency(directory / EMERGENCY_FILE)
    return KnowledgeBase(
        requirements=requirements,
        offices=offices,
        national_emergency=national,
        local_emergency=local,
        office_schedule=schedule,
        region_notes=notes,
    )
