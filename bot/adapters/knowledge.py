"""Reading and checking ``bot/data/knowledge/*.yml``.

Admins edit these files by hand, so every problem is reported with the file
and the entry (``offices.yml: Metro.samsat: missing 'address'``) instead of a
KeyError deep inside an action. Unknown keys are errors too: a typo such as
``adress`` would otherwise silently hide data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

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


class _Entry:
    """One mapping in a data file, with the context needed for a useful error."""

    def __init__(self, file: Path, name: str, data: Any) -> None:
        if not isinstance(data, Mapping):
            raise InvalidEntry(file, name, f"expected a mapping, got {type(data).__name__}")
        self.file, self.name, self.data = file, name, data

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(str(k) for k in self.data if k not in allowed)
        if unknown:
            raise InvalidEntry(self.file, self.name, f"unknown key(s) {unknown}")

    def _missing(self, key: str) -> MissingEntry:
        return MissingEntry(self.file, self.name, f"missing {key!r}")

    def _invalid(self, key: str, problem: str) -> InvalidEntry:
        return InvalidEntry(self.file, f"{self.name}.{key}", problem)

    def text(self, key: str) -> str:
        if key not in self.data or self.data[key] is None:
            raise self._missing(key)
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            raise self._invalid(key, "expected non-empty text")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        if self.data.get(key) is None:
            return None
        return self.text(key)

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self._missing(key)
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self._invalid(key, "expected a list of non-empty texts")
        if required and not value:
            raise self._invalid(key, "list is empty")
        return tuple(v.strip() for v in value)

    def day(self, key: str) -> date:
        if key not in self.data:
            raise self._missing(key)
        value = self.data[key]
        # PyYAML already turns an unquoted 2026-11-28 into a date; a quoted one is text.
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self._invalid(key, f"expected a date like 2026-11-28, got {value!r}")

    def phone(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            # An unquoted 0721... loses its leading zero in YAML; insist on quotes.
            raise self._invalid(key, 'write the number in quotes, e.g. "(0721) 000000", or null')
        if not any(ch.isdigit() for ch in value):
            raise self._invalid(key, "no digits in phone number")
        return value.strip()


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


REQUIREMENT_KEYS = {"label", "items", "where", "duration", "fee", "notes", "last_checked"}


def load_requirements(file: Path) -> dict[str, Requirement]:
    data = _read(file)
    section = _section(file, data, "document_types")
    expected = vocabulary.values("document_type")
    _check_names(file, "document_types", section, expected)
    result: dict[str, Requirement] = {}
    for document_type in expected:
        entry = _Entry(file, f"document_types.{document_type}", section[document_type])
        entry.check_keys(REQUIREMENT_KEYS)
        # The label lives in vocabulary.yml (one place per fact); a file may override it.
        label = entry.optional_text("label") or vocabulary.label("document_type", document_type)
        result[document_type] = Requirement(
            document_type=document_type,
            label=label,
            items=entry.texts("items"),
            where=entry.text("where"),
            duration=entry.text("duration"),
            fee=entry.text("fee"),
            notes=entry.texts("notes", required=False),
            last_checked=entry.day("last_checked"),
        )
    return result


OFFICE_KEYS = {"name", "address", "hours", "phone", "note", "last_checked"}
REGION_KEYS = {*OFFICE_KINDS, "note"}
REQUIRED_KINDS = ("disdukcapil", "samsat")


def _hours(
    file: Path, name: str, raw: Any, schedules: Mapping[str, tuple[OfficeHours, ...]]
) -> tuple[OfficeHours, ...]:
    if isinstance(raw, str):
        if raw not in schedules:
            raise InvalidEntry(
                file, name, f"unknown schedule {raw!r}; defined: {sorted(schedules)}"
            )
        return schedules[raw]
    if not isinstance(raw, list) or not raw:
        raise InvalidEntry(file, name, "expected a schedule name or a list of {days, hours}")
    hours = []
    for index, item in enumerate(raw):
        entry = _Entry(file, f"{name}[{index}]", item)
        entry.check_keys({"days", "hours"})
        try:
            hours.append(OfficeHours.parse(entry.text("days"), entry.text("hours")))
        except ValueError as exc:
            raise InvalidEntry(file, f"{name}[{index}]", str(exc)) from None
    return tuple(hours)


STANDARD_SCHEDULE = "kantor"


def load_offices(
    file: Path,
) -> tuple[dict[str, list[Office]], dict[str, str], OfficeSchedule]:
    data = _read(file)
    schedules_raw = data.get("schedules") or {}
    if not isinstance(schedules_raw, Mapping):
        raise InvalidEntry(file, "schedules", "expected a mapping of name -> list of hours")
    schedules: dict[str, tuple[OfficeHours, ...]] = {}
    for name, raw in schedules_raw.items():
        schedules[str(name)] = _hours(file, f"schedules.{name}", raw, {})
    section = _section(file, data, "regions")
    expected = vocabulary.region_names()
    _check_names(file, "regions", section, expected)

    offices: dict[str, list[Office]] = {}
    notes: dict[str, str] = {}
    for region in expected:
        region_entry = _Entry(file, f"regions.{region}", section[region])
        region_entry.check_keys(REGION_KEYS)
        note = region_entry.optional_text("note")
        if note:
            notes[region] = note
        found: list[Office] = []
        for kind in OFFICE_KINDS:
            raw = region_entry.data.get(kind)
            if raw is None:
                if kind in REQUIRED_KINDS:
                    raise MissingEntry(file, f"regions.{region}.{kind}", "entry missing")
                continue
            # A region may have several offices of one kind (e.g. more than one Samsat).
            items = raw if isinstance(raw, list) else [raw]
            for index, item in enumerate(items):
                name = f"regions.{region}.{kind}" + (f"[{index}]" if isinstance(raw, list) else "")
                entry = _Entry(file, name, item)
                entry.check_keys(OFFICE_KEYS)
                if "hours" not in entry.data:
                    raise MissingEntry(file, name, "missing 'hours'")
                if "phone" not in entry.data:
                    # Explicit null forces whoever adds an office to think about the number.
                    raise MissingEntry(file, name, "missing 'phone' (use null when unknown)")
                found.append(
                    Office(
                        kind=kind,
                        name=entry.text("name"),
                        kabupaten_kota=region,
                        address=entry.text("address"),
                        hours=_hours(file, f"{name}.hours", entry.data["hours"], schedules),
                        phone=entry.phone("phone"),
                        note=entry.optional_text("note"),
                        last_checked=entry.day("last_checked"),
                    )
                )
        offices[region] = found
    if STANDARD_SCHEDULE not in schedules:
        # The usual government hours: handoffs tell residents when officers answer.
        raise MissingEntry(file, f"schedules.{STANDARD_SCHEDULE}", "schedule missing")
    return offices, notes, OfficeSchedule(schedules[STANDARD_SCHEDULE])


CONTACT_KEYS = {"name", "number", "kind", "note"}


def _contact(file: Path, name: str, raw: Any, region: str | None) -> EmergencyContact:
    entry = _Entry(file, name, raw)
    entry.check_keys(CONTACT_KEYS)
    number = entry.data.get("number")
    if isinstance(number, int):
        raise InvalidEntry(file, f"{name}.number", 'write the number in quotes, e.g. "112"')
    number_text = entry.text("number")
    if not any(ch.isdigit() for ch in number_text):
        raise InvalidEntry(file, f"{name}.number", "no digits in number")
    return EmergencyContact(
        name=entry.text("name"),
        number=number_text,
        kind=entry.text("kind"),
        note=entry.optional_text("note"),
        kabupaten_kota=region,
    )


def load_emergency(file: Path) -> tuple[list[EmergencyContact], dict[str, list[EmergencyContact]]]:
    data = _read(file)
    _Entry(file, "(file)", data).day("last_checked")
    national_raw = data.get("national")
    if not isinstance(national_raw, list) or not national_raw:
        raise MissingEntry(file, "national", "expected a non-empty list of numbers")
    national = [_contact(file, f"national[{i}]", raw, None) for i, raw in enumerate(national_raw)]
    if not any(c.number == EMERGENCY_112 for c in national):
        raise MissingEntry(file, "national", "112 (the national emergency number) is missing")
    section = _section(file, data, "local")
    expected = vocabulary.region_names()
    _check_names(file, "local", section, expected)
    local: dict[str, list[EmergencyContact]] = {}
    for region in expected:
        raw_list = section[region] or []
        if not isinstance(raw_list, list):
            raise InvalidEntry(file, f"local.{region}", "expected a list (use [] when none)")
        local[region] = [
            _contact(file, f"local.{region}[{i}]", raw, region) for i, raw in enumerate(raw_list)
        ]
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
