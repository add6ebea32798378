"""Agencies (instansi) that receive tickets: their codes, levels, areas and what they handle.

What a code names is in :mod:`bot.domain.agency_codes` (re-exported here).

The catalogue is derived from the gazetteer: nine departments for each
kabupaten/kota and for the province, one government for each kecamatan and
desa/kelurahan. ``bot/data/agencies.yml`` adds only the names and what each
kind handles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.domain.agency_codes import (
    DEPARTMENTS,
    OUTSIDE_CODE,
    PROVINCE,
    PROVINCE_NAME,
    VERIFICATION_CODE,
    AgencyCode,
    AgencyKind,
    AgencyLevel,
    InvalidAgencyCode,
    PlaceNames,
    UnknownAgency,
    agency_code,
    escalation_target,
    parse_code,
)
from bot.domain.gazetteer import (
    DISTRICT,
    REGENCY,
    VILLAGE,
    Gazetteer,
    Place,
    compact_key,
    gazetteer,
)
from bot.domain.staff import Area
from bot.domain.vocabulary import load_yaml, values

__all__ = [
    "DEPARTMENTS",
    "OUTSIDE_CODE",
    "PROVINCE",
    "VERIFICATION_CODE",
    "Agency",
    "AgencyCatalog",
    "AgencyCode",
    "AgencyKind",
    "AgencyLevel",
    "Handles",
    "InvalidAgencyCode",
    "PlaceNames",
    "UnknownAgency",
    "agency_catalog",
    "agency_code",
    "build_catalog",
    "escalation_target",
    "parse_code",
]


@dataclass(frozen=True)
class Handles:
    """The canonical values (bot/data/vocabulary.yml) an agency receives by default."""

    complaint_categories: frozenset[str] = frozenset()
    document_types: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, data: Mapping[str, Iterable[str]] | None) -> Handles:
        data = data or {}
        unknown = set(data) - {"complaint_category", "document_type"}
        if unknown:
            raise ValueError(f"agencies.yml: handles has unknown keys {sorted(unknown)}")
        return cls(
            frozenset(data.get("complaint_category", ())), frozenset(data.get("document_type", ()))
        )


@dataclass(frozen=True)
class Agency:
    """One agency (instansi): who it is, where it works and what it receives by default."""

    code: str
    name: str  # official Indonesian name
    kind: AgencyKind
    level: AgencyLevel
    area: Area | None  # Area() is the whole province; None is outside Lampung (PUSAT)
    place_code: str | None = None  # the gazetteer code of the area, dotted; None above
    handles: Handles = field(default_factory=Handles)
    contact: str | None = None  # where a resident is pointed (PUSAT)


def _area_key(
    kabupaten_kota: str | None, kecamatan: str | None, desa: str | None
) -> tuple[str, str, str]:
    return (
        compact_key(kabupaten_kota or ""),
        compact_key(kecamatan or ""),
        compact_key(desa or ""),
    )


@dataclass(frozen=True, eq=False)
class AgencyCatalog:
    """Every agency, looked up by code, by kind and kabupaten/kota, or by area."""

    agencies: tuple[Agency, ...]
    places: Gazetteer = field(default_factory=gazetteer)
    _by_code: dict[str, Agency] = field(init=False, repr=False)
    _by_area: dict[tuple[str, str, str], tuple[Agency, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_code: dict[str, Agency] = {}
        by_area: dict[tuple[str, str, str], list[Agency]] = defaultdict(list)
        for agency in self.agencies:
            if agency.code in by_code:
                raise ValueError(f"two agencies with code {agency.code}")
            by_code[agency.code] = agency
            if agency.area is not None:
                area = agency.area
                by_area[_area_key(area.kabupaten_kota, area.kecamatan, area.desa)].append(agency)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_area", {k: tuple(v) for k, v in by_area.items()})

    def __len__(self) -> int:
        return len(self.agencies)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str) -> Agency | None:
        """The agency of a code (case and surrounding spaces aside), or None."""
        return self._by_code.get((code or "").strip().upper())

    def agency(self, code: str) -> Agency:
        """The agency of a code; :class:`InvalidAgencyCode` or :class:`UnknownAgency` otherwise."""
        found = self._by_code.get(str(parse_code(code)))
        if found is None:
            raise UnknownAgency(str(parse_code(code)))
        return found

    def of_kind(self, kind: AgencyKind, kabupaten_kota: str | None = None) -> Agency | None:
        """A department of a kabupaten/kota (by official name), or the province's when None.

        The verification desk and PUSAT are one each; governments are found by
        :meth:`government_of`.
        """
        if kind in (AgencyKind.VERIFIKASI, AgencyKind.PUSAT):
            return self.get(VERIFICATION_CODE if kind is AgencyKind.VERIFIKASI else OUTSIDE_CODE)
        if not kind.is_department:
            return None
        if kabupaten_kota is None:
            return self.get(agency_code(kind))
        regency = self.places.regency(kabupaten_kota)
        return self.get(agency_code(kind, regency)) if regency else None

    def government_of(
        self, where: PlaceNames, level: AgencyLevel = AgencyLevel.DESA
    ) -> Agency | None:
        """The government of the desa (or, ``level=kecamatan``, the kecamatan) a place names.

        A desa named without its kecamatan is found when only one desa of the
        kabupaten/kota has that name.
        """
        district, village = self._places_of(where)
        if level is AgencyLevel.DESA:
            return self.get(agency_code(AgencyKind.DESA, village)) if village else None
        if level is AgencyLevel.KECAMATAN:
            return self.get(agency_code(AgencyKind.KEC, district)) if district else None
        raise ValueError(f"governments are of a desa or a kecamatan, not {level.value}")

    def in_area(self, where: PlaceNames) -> tuple[Agency, ...]:
        """The agencies whose own area is exactly this place (no kabupaten/kota: the province's)."""
        key = _area_key(where.kabupaten_kota, where.kecamatan, where.desa)
        return self._by_area.get(key, ())

    def within(self, area: Area) -> tuple[Agency, ...]:
        """The agencies whose area lies inside ``area`` (the province: every one but PUSAT)."""
        found = []
        for agency in self.agencies:
            own = agency.area
            if own is None or (own.is_province and not area.is_province):
                continue
            if area.contains(own.kabupaten_kota, own.kecamatan, own.desa):
                found.append(agency)
        return tuple(found)

    def _places_of(self, where: PlaceNames) -> tuple[Place | None, Place | None]:
        """The kecamatan and desa a place names in the gazetteer, each only when unambiguous."""
        if not where.kabupaten_kota:
            return None, None
        regency = self.places.regency(where.kabupaten_kota)
        if regency is None:
            return None, None
        district = None
        if where.kecamatan:
            named = [
                p
                for p in self.places.children(regency.code)
                if compact_key(p.name) == compact_key(where.kecamatan)
            ]
            if len(named) != 1:
                return None, None
            district = named[0]
        if not where.desa:
            return district, None
        scope = district or regency
        villages = [
            p
            for p in self.places.within(scope, VILLAGE)
            if compact_key(p.name) == compact_key(where.desa)
        ]
        if len(villages) != 1:
            return district, None
        village = villages[0]
        if district is None:
            district = self.places.by_code(village.parent_code)
        return district, village


def _template(entry: Mapping[str, Any], key: str) -> str:
    name = entry["name"]
    return str(name if isinstance(name, str) else name[key])


def build_catalog(data: Mapping[str, Any], places: Gazetteer) -> AgencyCatalog:
    """The seeded catalogue: the agencies the gazetteer implies, named as ``data`` says."""
    names: Mapping[str, str] = data.get("names") or {}
    found: list[Agency] = []
    add = found.append
    province = Area()
    departments = data["departments"]
    if set(departments) != {k.value for k in DEPARTMENTS}:
        raise ValueError(
            f"agencies.yml: departments must be exactly {[k.value for k in DEPARTMENTS]}"
        )
    for kind in DEPARTMENTS:
        entry = departments[kind.value]
        handles = Handles.parse(entry.get("handles"))
        code = agency_code(kind)
        add(
            Agency(
                code=code,
                name=names.get(code) or _template(entry, "provinsi").format(area=PROVINCE_NAME),
                kind=kind,
                level=AgencyLevel.PROVINSI,
                area=province,
                handles=handles,
            )
        )
        for regency in places.level(REGENCY):
            code = agency_code(kind, regency)
            area_name = f"{regency.kind.capitalize()} {regency.name}"
            add(
                Agency(
                    code=code,
                    name=names.get(code) or _template(entry, "kabupaten").format(area=area_name),
                    kind=kind,
                    level=AgencyLevel.KABUPATEN,
                    area=Area(regency.name),
                    place_code=regency.code,
                    handles=handles,
                )
            )
    verification = data["verification"]
    add(
        Agency(
            code=VERIFICATION_CODE,
            name=names.get(VERIFICATION_CODE) or str(verification["name"]),
            kind=AgencyKind.VERIFIKASI,
            level=AgencyLevel.PROVINSI,
            area=province,
            handles=Handles.parse(verification.get("handles")),
        )
    )
    outside = data["outside"]
    add(
        Agency(
            code=OUTSIDE_CODE,
            name=names.get(OUTSIDE_CODE) or str(outside["name"]),
            kind=AgencyKind.PUSAT,
            level=AgencyLevel.PUSAT,
            area=None,
            handles=Handles.parse(outside.get("handles")),
            contact=outside.get("contact"),
        )
    )
    governments = data["governments"]
    district_entry, village_entry = governments["kecamatan"], governments["desa"]
    district_handles = Handles.parse(district_entry.get("handles"))
    village_handles = Handles.parse(village_entry.get("handles"))
    for district in places.level(DISTRICT):
        parent = places.by_code(district.parent_code)
        assert parent is not None, district.code
        code = agency_code(AgencyKind.KEC, district)
        add(
            Agency(
                code=code,
                name=names.get(code)
                or _template(district_entry, "kecamatan").format(place=district.name),
                kind=AgencyKind.KEC,
                level=AgencyLevel.KECAMATAN,
                area=Area(parent.name, district.name),
                place_code=district.code,
                handles=district_handles,
            )
        )
        for village in places.children(district.code):
            code = agency_code(AgencyKind.DESA, village)
            add(
                Agency(
                    code=code,
                    name=names.get(code)
                    or _template(village_entry, village.kind).format(place=village.name),
                    kind=AgencyKind.DESA,
                    level=AgencyLevel.DESA,
                    area=Area(parent.name, district.name, village.name),
                    place_code=village.code,
                    handles=village_handles,
                )
            )
    unknown = set(names) - {a.code for a in found}
    if unknown:
        raise ValueError(f"agencies.yml: names for codes no agency has: {sorted(unknown)}")
    for agency in found:
        _check_handles(agency)
    return AgencyCatalog(tuple(found), places)


def _check_handles(agency: Agency) -> None:
    for kind, handled in (
        ("complaint_category", agency.handles.complaint_categories),
        ("document_type", agency.handles.document_types),
    ):
        unknown = handled - set(values(kind))
        if unknown:
            raise ValueError(
                f"agencies.yml: {agency.kind.value} handles unknown {kind} {sorted(unknown)}"
            )


@lru_cache(maxsize=1)
def agency_catalog() -> AgencyCatalog:
    """The seeded catalogue from the gazetteer and ``bot/data/agencies.yml``, built once."""
    return build_catalog(load_yaml("agencies.yml"), gazetteer())
