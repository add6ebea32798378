"""Agency codes: what a code names, its level, and the code one level up.

``DLH-1871`` is the environment department of Bandar Lampung (a kabupaten/kota
code without its dot), ``PU-18`` the province's roads department,
``KEC-187101`` a kecamatan government, ``DESA-1871011001`` a desa or
kelurahan government, ``VERIFIKASI-18`` the province's verification desk and
``PUSAT`` everything outside Lampung's authority (SP4N-LAPOR!).

A department's sub-unit (a UPT, a field office it delegates to) is its code with a
two-digit suffix: ``PU-1871-01`` is one level below ``PU-1871`` (kecamatan),
``DLH-18-02`` one below ``DLH-18`` (kabupaten); its parent is the code without the
suffix. Such a code is well formed here; the agency exists only once admins add it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Protocol

from bot.domain.errors import TabikError, with_message
from bot.domain.gazetteer import DISTRICT, REGENCY, VILLAGE, Place, gazetteer

PROVINCE = "18"  # Lampung's Kemendagri code
VERIFICATION_CODE = f"VERIFIKASI-{PROVINCE}"
OUTSIDE_CODE = "PUSAT"
PROVINCE_NAME = "Provinsi Lampung"


class AgencyLevel(str, enum.Enum):
    """The tier of government an agency belongs to (a kelurahan is at the ``desa`` level)."""

    DESA = "desa"
    KECAMATAN = "kecamatan"
    KABUPATEN = "kabupaten"  # kabupaten or kota
    PROVINSI = "provinsi"
    PUSAT = "pusat"


class AgencyKind(str, enum.Enum):
    """What an agency is: a department (dinas, badan, perumda), a local government, or a desk."""

    PU = "PU"  # roads
    DLH = "DLH"  # rubbish, environment
    AIR = "AIR"  # drinking water company
    BPBD = "BPBD"  # floods, disasters
    INSPEKTORAT = "INSPEKTORAT"  # extortion
    DINKES = "DINKES"  # health
    DISDIK = "DISDIK"  # education
    DISHUB = "DISHUB"  # street lights, transport
    DUKCAPIL = "DUKCAPIL"  # civil registry
    KEC = "KEC"  # a kecamatan government
    DESA = "DESA"  # a desa or kelurahan government
    VERIFIKASI = "VERIFIKASI"  # the province's desk for tickets no rule places
    PUSAT = "PUSAT"  # outside Lampung's authority

    @property
    def is_department(self) -> bool:
        return self in DEPARTMENTS


# The kinds every kabupaten/kota and the province have one agency of.
DEPARTMENTS = (
    AgencyKind.PU,
    AgencyKind.DLH,
    AgencyKind.AIR,
    AgencyKind.BPBD,
    AgencyKind.INSPEKTORAT,
    AgencyKind.DINKES,
    AgencyKind.DISDIK,
    AgencyKind.DISHUB,
    AgencyKind.DUKCAPIL,
)


@with_message("invalid agency code {code!r}: {problem}")
class InvalidAgencyCode(TabikError, ValueError):
    """Text that is not an agency code, or one naming a place the gazetteer does not know."""

    code: str
    problem: str


@with_message("no agency {code}")
class UnknownAgency(TabikError, LookupError):
    """A well-formed code the catalogue has no agency for."""

    code: str


class PlaceNames(Protocol):
    """Anything naming a place by official names: a ticket, a staff area, a form's location."""

    @property
    def kabupaten_kota(self) -> str | None: ...

    @property
    def kecamatan(self) -> str | None: ...

    @property
    def desa(self) -> str | None: ...


@dataclass(frozen=True)
class AgencyCode:
    """What a code names: the kind, the level and the gazetteer place (dotted), if any."""

    kind: AgencyKind
    level: AgencyLevel
    place_code: str | None = None  # "18.71", "18.71.01", "18.71.01.1001"; None above
    unit: str | None = None  # a department's sub-unit: "01" of PU-1871-01

    def __str__(self) -> str:
        if self.kind is AgencyKind.PUSAT:
            return OUTSIDE_CODE
        own = f"{self.kind.value}-{(self.place_code or PROVINCE).replace('.', '')}"
        return f"{own}-{self.unit}" if self.unit else own

    @property
    def parent(self) -> AgencyCode | None:
        """The department a sub-unit belongs to (None for any other code)."""
        if self.unit is None:
            return None
        return AgencyCode(self.kind, _ONE_UP[self.level], self.place_code)


# Digits after the dash for each kind of place code, and the level they are.
_DIGITS = {2: AgencyLevel.PROVINSI, 4: AgencyLevel.KABUPATEN}
_GOVERNMENTS = {
    AgencyKind.KEC: (6, AgencyLevel.KECAMATAN, DISTRICT),
    AgencyKind.DESA: (10, AgencyLevel.DESA, VILLAGE),
}
_CODE = re.compile(r"^(?P<kind>[A-Z]+)(?:-(?P<digits>[0-9A-Z]*))?(?:-(?P<unit>[0-9A-Z]*))?$")
# A sub-unit is one level below its department.
_ONE_DOWN = {
    AgencyLevel.PROVINSI: AgencyLevel.KABUPATEN,
    AgencyLevel.KABUPATEN: AgencyLevel.KECAMATAN,
}
_ONE_UP = {below: above for above, below in _ONE_DOWN.items()}
_UNIT = re.compile(r"^(?!00)[0-9]{2}$")


def _dotted(digits: str) -> str:
    """``1871011001`` → ``18.71.01.1001``: the gazetteer's form of a code."""
    parts = [digits[:2], digits[2:4], digits[4:6], digits[6:]]
    return ".".join(p for p in parts if p)


def parse_code(text: str) -> AgencyCode:
    """Read an agency code (case and surrounding spaces aside); raise :class:`InvalidAgencyCode`.

    The place in the code must be in the gazetteer at the level the kind needs; a
    sub-unit's suffix (``-01`` … ``-99``) only follows a department's code.
    """
    code = (text or "").strip().upper()
    match = _CODE.match(code)
    if match is None:
        raise InvalidAgencyCode(text, "not KIND-DIGITS (e.g. DLH-1871, PU-18, PUSAT)")
    if match["unit"] is not None:
        return _sub_unit(text, code, match["unit"])
    try:
        kind = AgencyKind(match["kind"])
    except ValueError:
        known = ", ".join(k.value for k in AgencyKind)
        raise InvalidAgencyCode(text, f"{match['kind']} is not an agency kind ({known})") from None
    digits = match["digits"]
    if kind is AgencyKind.PUSAT:
        if digits is not None:
            raise InvalidAgencyCode(text, "PUSAT has no area: the code is PUSAT alone")
        return AgencyCode(kind, AgencyLevel.PUSAT)
    if not digits or not digits.isdigit():
        raise InvalidAgencyCode(text, f"{kind.value} needs a code of digits after the dash")
    if not digits.startswith(PROVINCE):
        raise InvalidAgencyCode(text, f"{digits} is not in Lampung (codes start with {PROVINCE})")
    if kind is AgencyKind.VERIFIKASI:
        if digits != PROVINCE:
            raise InvalidAgencyCode(text, f"the verification desk is {VERIFICATION_CODE} only")
        return AgencyCode(kind, AgencyLevel.PROVINSI)
    if kind in _GOVERNMENTS:
        length, level, place_level = _GOVERNMENTS[kind]
        if len(digits) != length:
            raise InvalidAgencyCode(text, f"{kind.value} needs a {length}-digit {place_level} code")
    else:
        if len(digits) not in _DIGITS:
            raise InvalidAgencyCode(
                text, f"{kind.value} needs 18 (the province) or a 4-digit kabupaten/kota code"
            )
        level, place_level = _DIGITS[len(digits)], REGENCY
        if level is AgencyLevel.PROVINSI:
            return AgencyCode(kind, level)
    place = gazetteer().by_code(_dotted(digits))
    if place is None or place.level != place_level:
        what = "kabupaten/kota" if place_level == REGENCY else place_level
        raise InvalidAgencyCode(text, f"the gazetteer has no {what} {_dotted(digits)}")
    return AgencyCode(kind, level, place.code)


def _sub_unit(text: str, code: str, unit: str) -> AgencyCode:
    try:
        parent = parse_code(code[: -len(unit) - 1])
    except InvalidAgencyCode as error:
        raise InvalidAgencyCode(text, error.problem) from None
    if not parent.kind.is_department or parent.level not in _ONE_DOWN:
        raise InvalidAgencyCode(text, f"only a department's code takes a sub-unit, not {parent}")
    if not _UNIT.match(unit):
        raise InvalidAgencyCode(text, f"a sub-unit is two digits 01-99 after {parent}, not {unit}")
    return AgencyCode(parent.kind, _ONE_DOWN[parent.level], parent.place_code, unit)


def agency_code(kind: AgencyKind, place: Place | None = None) -> str:
    """The code of ``kind``'s agency for a gazetteer place (None: the province's, or PUSAT)."""
    if kind is AgencyKind.PUSAT:
        return OUTSIDE_CODE
    return f"{kind.value}-{place.code.replace('.', '') if place else PROVINCE}"


def escalation_target(code: str) -> str | None:
    """The code one level up: a sub-unit's ``PU-1871-01`` → ``PU-1871``; a regency's
    ``DLH-1871`` → ``DLH-18``; ``DESA-…`` → its ``KEC-…``; a kecamatan or province agency →
    ``VERIFIKASI-18``; that desk and ``PUSAT`` → None."""
    parsed = parse_code(code)
    if parsed.parent is not None:
        return str(parsed.parent)
    if parsed.kind in (AgencyKind.VERIFIKASI, AgencyKind.PUSAT):
        return None
    if parsed.level is AgencyLevel.KABUPATEN:
        return agency_code(parsed.kind)
    if parsed.kind is AgencyKind.DESA and parsed.place_code is not None:
        return f"{AgencyKind.KEC.value}-{parsed.place_code.rsplit('.', 1)[0].replace('.', '')}"
    return VERIFICATION_CODE
