"""The agency catalogue: one agency per kind and area the gazetteer implies, codes, escalation."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

import pytest

from bot.domain.agencies import (
    DEPARTMENTS,
    AgencyCatalog,
    AgencyKind,
    AgencyLevel,
    InvalidAgencyCode,
    UnknownAgency,
    agency_catalog,
    build_catalog,
    escalation_target,
    parse_code,
)
from bot.domain.gazetteer import DISTRICT, REGENCY, VILLAGE, Place, gazetteer
from bot.domain.staff import Area
from bot.domain.vocabulary import load_yaml, values

PLACES = gazetteer()


def regency(name: str) -> Place:
    found = PLACES.regency(name)
    assert found is not None, name
    return found


def district(kabupaten_kota: str, name: str) -> Place:
    (found,) = [p for p in PLACES.children(regency(kabupaten_kota).code) if p.name == name]
    return found


def village(kabupaten_kota: str, kecamatan: str, name: str) -> Place:
    (found,) = [
        p for p in PLACES.children(district(kabupaten_kota, kecamatan).code) if p.name == name
    ]
    return found


def digits(place: Place) -> str:
    return place.code.replace(".", "")


HAJIMENA = village("Lampung Selatan", "Natar", "Hajimena")  # a desa
NATAR = district("Lampung Selatan", "Natar")
SIDODADI = village("Bandar Lampung", "Kedaton", "Sidodadi")  # a kelurahan
KEDATON = district("Bandar Lampung", "Kedaton")


@pytest.fixture(scope="module")
def catalog() -> AgencyCatalog:
    return agency_catalog()


def test_the_catalogue_has_every_agency_the_gazetteer_implies(catalog: AgencyCatalog) -> None:
    assert len(catalog) == 15 * 9 + 9 + 1 + 1 + 229 + 2651 == 3026
    assert len({a.code for a in catalog}) == len(catalog)


@pytest.mark.parametrize(
    ("kind", "level", "count"),
    [
        *((kind, AgencyLevel.KABUPATEN, 15) for kind in DEPARTMENTS),
        *((kind, AgencyLevel.PROVINSI, 1) for kind in DEPARTMENTS),
        (AgencyKind.KEC, AgencyLevel.KECAMATAN, 229),
        (AgencyKind.DESA, AgencyLevel.DESA, 2651),
        (AgencyKind.VERIFIKASI, AgencyLevel.PROVINSI, 1),
        (AgencyKind.PUSAT, AgencyLevel.PUSAT, 1),
    ],
)
def test_agencies_of_each_kind_and_level(
    catalog: AgencyCatalog, kind: AgencyKind, level: AgencyLevel, count: int
) -> None:
    counts = Counter((a.kind, a.level) for a in catalog)
    assert counts[(kind, level)] == count


@pytest.mark.parametrize("kind", DEPARTMENTS)
def test_every_kabupaten_kota_has_each_department(catalog: AgencyCatalog, kind: AgencyKind) -> None:
    for place in PLACES.level(REGENCY):
        agency = catalog.of_kind(kind, place.name)
        assert agency is not None, (kind, place.name)
        assert agency.code == f"{kind.value}-{digits(place)}"
        assert agency.area == Area(place.name) and agency.place_code == place.code
    province = catalog.of_kind(kind)
    assert province is not None and province.code == f"{kind.value}-18"
    assert province.area == Area() and province.area.is_province


def test_every_kecamatan_and_desa_has_its_government(catalog: AgencyCatalog) -> None:
    for level, kind in ((DISTRICT, AgencyKind.KEC), (VILLAGE, AgencyKind.DESA)):
        for place in PLACES.level(level):
            agency = catalog.get(f"{kind.value}-{digits(place)}")
            assert agency is not None and agency.place_code == place.code, place


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("DLH-1871", "Dinas Lingkungan Hidup Kota Bandar Lampung"),
        ("DUKCAPIL-1801", "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lampung Selatan"),
        ("AIR-1871", "Perumda Air Minum Way Rilau"),
        ("AIR-1872", "Perumda Air Minum Kota Metro"),
        ("PU-1872", "Dinas Pekerjaan Umum Kota Metro"),
        ("PU-18", "Dinas Bina Marga dan Bina Konstruksi Provinsi Lampung"),
        ("DISDIK-18", "Dinas Pendidikan dan Kebudayaan Provinsi Lampung"),
        ("INSPEKTORAT-1801", "Inspektorat Kabupaten Lampung Selatan"),
        ("BPBD-18", "Badan Penanggulangan Bencana Daerah Provinsi Lampung"),
        (f"DESA-{digits(HAJIMENA)}", "Pemerintah Desa Hajimena"),
        (f"DESA-{digits(SIDODADI)}", "Kelurahan Sidodadi"),
        (f"KEC-{digits(KEDATON)}", "Kecamatan Kedaton"),
    ],
)
def test_names_are_official_indonesian(catalog: AgencyCatalog, code: str, name: str) -> None:
    assert catalog.agency(code).name == name


def test_pusat_points_the_resident_to_sp4n_lapor(catalog: AgencyCatalog) -> None:
    pusat = catalog.agency("PUSAT")
    assert pusat.level is AgencyLevel.PUSAT and pusat.area is None
    assert pusat.contact is not None and "lapor.go.id" in pusat.contact and "1708" in pusat.contact


def test_each_complaint_category_and_document_type_is_handled_by_one_kind(
    catalog: AgencyCatalog,
) -> None:
    handlers: dict[str, set[AgencyKind]] = {}
    for agency in catalog:
        for value in agency.handles.complaint_categories | agency.handles.document_types:
            handlers.setdefault(value, set()).add(agency.kind)
    assert set(handlers) == set(values("complaint_category")) | set(values("document_type"))
    assert {value: len(kinds) for value, kinds in handlers.items() if len(kinds) != 1} == {}


@pytest.mark.parametrize(
    ("text", "kind", "level", "place_code"),
    [
        ("DLH-1871", AgencyKind.DLH, AgencyLevel.KABUPATEN, "18.71"),
        (" dukcapil-1872 ", AgencyKind.DUKCAPIL, AgencyLevel.KABUPATEN, "18.72"),
        ("PU-18", AgencyKind.PU, AgencyLevel.PROVINSI, None),
        ("VERIFIKASI-18", AgencyKind.VERIFIKASI, AgencyLevel.PROVINSI, None),
        ("PUSAT", AgencyKind.PUSAT, AgencyLevel.PUSAT, None),
        (f"KEC-{digits(NATAR)}", AgencyKind.KEC, AgencyLevel.KECAMATAN, NATAR.code),
        (f"DESA-{digits(HAJIMENA)}", AgencyKind.DESA, AgencyLevel.DESA, HAJIMENA.code),
        (f"desa-{digits(SIDODADI)}", AgencyKind.DESA, AgencyLevel.DESA, SIDODADI.code),
    ],
)
def test_a_code_says_which_agency_and_where(
    text: str, kind: AgencyKind, level: AgencyLevel, place_code: str | None
) -> None:
    parsed = parse_code(text)
    assert (parsed.kind, parsed.level, parsed.place_code) == (kind, level, place_code)
    assert str(parsed) == text.strip().upper()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "not KIND-DIGITS"),
        ("DLH 1871", "not KIND-DIGITS"),
        ("SATPOL-1871", "SATPOL is not an agency kind"),
        ("DLH", "needs a code of digits"),
        ("DLH-18x1", "needs a code of digits"),
        ("DLH-3171", "3171 is not in Lampung"),
        ("DLH-1899", "no kabupaten/kota 18.99"),
        ("DLH-187", "4-digit kabupaten/kota code"),
        (f"DLH-{digits(KEDATON)}", "4-digit kabupaten/kota code"),
        ("KEC-1871", "6-digit kecamatan code"),
        ("KEC-187199", "no kecamatan 18.71.99"),
        ("DESA-1871", "10-digit desa code"),
        ("DESA-1871019999", "no desa 18.71.01.9999"),
        ("VERIFIKASI-1871", "VERIFIKASI-18 only"),
        ("PUSAT-18", "PUSAT alone"),
    ],
)
def test_an_invalid_code_is_refused_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(InvalidAgencyCode) as raised:
        parse_code(text)
    assert problem in str(raised.value) and raised.value.code == text


@pytest.mark.parametrize(
    "chain",
    [
        ["DLH-1871", "DLH-18", "VERIFIKASI-18", None],
        ["DUKCAPIL-1872", "DUKCAPIL-18", "VERIFIKASI-18", None],
        [f"DESA-{digits(HAJIMENA)}", f"KEC-{digits(NATAR)}", "VERIFIKASI-18", None],
        [f"DESA-{digits(SIDODADI)}", f"KEC-{digits(KEDATON)}", "VERIFIKASI-18", None],
        ["PUSAT", None],
    ],
)
def test_escalation_goes_one_level_up(chain: list[str | None]) -> None:
    for code, above in pairwise(chain):
        assert code is not None
        assert escalation_target(code) == above


def test_every_agency_escalates_through_the_catalogue_to_the_desk(catalog: AgencyCatalog) -> None:
    for agency in catalog:
        above = escalation_target(agency.code)
        if agency.kind in (AgencyKind.VERIFIKASI, AgencyKind.PUSAT):
            assert above is None
            continue
        chain = [agency.code]
        while chain[-1] != "VERIFIKASI-18":
            above = escalation_target(chain[-1])
            assert above is not None and above in catalog, chain
            chain.append(above)
        assert len(chain) <= 4, chain  # at most three steps up


def test_lookups_by_code_tolerate_case_and_tell_unknown_from_invalid(
    catalog: AgencyCatalog,
) -> None:
    assert catalog.get(" dlh-1871") is catalog.get("DLH-1871") is not None
    assert catalog.get("DLH-1899") is None and "DLH-1899" not in catalog
    without = AgencyCatalog(tuple(a for a in catalog if a.code != "DLH-1872"))
    with pytest.raises(UnknownAgency) as raised:
        without.agency("dlh-1872")
    assert raised.value.code == "DLH-1872" and "DLH-1872" in str(raised.value)
    with pytest.raises(InvalidAgencyCode):
        catalog.agency("DLH-1899")
    assert without.of_kind(AgencyKind.DLH, "Metro") is None


@pytest.mark.parametrize(
    ("where", "level", "expected"),
    [
        (Area("Lampung Selatan", "Natar", "Hajimena"), AgencyLevel.DESA, HAJIMENA),
        (Area("lampung selatan", "NATAR", "hajimena"), AgencyLevel.DESA, HAJIMENA),
        # A desa named without its kecamatan: found when the kabupaten has one of that name.
        (Area("Lampung Selatan", None, "Hajimena"), AgencyLevel.DESA, HAJIMENA),
        (Area("Lampung Selatan", None, "Hajimena"), AgencyLevel.KECAMATAN, NATAR),
        (Area("Bandar Lampung", "Kedaton", "Sidodadi"), AgencyLevel.KECAMATAN, KEDATON),
        (Area("Bandar Lampung", "Kedaton"), AgencyLevel.DESA, None),
        (Area("Bandar Lampung", "Sukarame", "Sidodadi"), AgencyLevel.DESA, None),
        (Area("Pesawaran", "Natar", "Hajimena"), AgencyLevel.DESA, None),
        (Area(None, None, "Hajimena"), AgencyLevel.DESA, None),
    ],
)
def test_the_government_of_a_place(
    catalog: AgencyCatalog, where: Area, level: AgencyLevel, expected: Place | None
) -> None:
    found = catalog.government_of(where, level)
    assert (found.place_code if found else None) == (expected.code if expected else None)


def test_a_desa_name_two_kecamatan_share_needs_the_kecamatan(catalog: AgencyCatalog) -> None:
    villages = PLACES.within(regency("Lampung Selatan"), VILLAGE)
    kecamatan_of: dict[str, set[str]] = {}
    for place in villages:
        kecamatan_of.setdefault(place.name, set()).add(place.parent_code)
    shared = next(name for name, parents in kecamatan_of.items() if len(parents) > 1)
    assert catalog.government_of(Area("Lampung Selatan", None, shared)) is None
    (first, *_) = [p for p in villages if p.name == shared]
    kecamatan = PLACES.by_code(first.parent_code)
    assert kecamatan is not None
    found = catalog.government_of(Area("Lampung Selatan", kecamatan.name, shared))
    assert found is not None and found.place_code == first.code


def test_agencies_by_area(catalog: AgencyCatalog) -> None:
    metro = regency("Metro")
    assert {a.code for a in catalog.in_area(Area("Metro"))} == {
        f"{kind.value}-1872" for kind in DEPARTMENTS
    }
    assert {a.code for a in catalog.in_area(Area())} == {
        *(f"{kind.value}-18" for kind in DEPARTMENTS),
        "VERIFIKASI-18",
    }
    assert [a.code for a in catalog.in_area(Area("Lampung Selatan", "Natar"))] == [
        f"KEC-{digits(NATAR)}"
    ]
    inside = catalog.within(Area("Metro"))
    kecamatan = PLACES.within(metro, DISTRICT)
    desa = PLACES.within(metro, VILLAGE)
    assert len(inside) == 9 + len(kecamatan) + len(desa)
    assert all(a.area is not None and a.area.kabupaten_kota == "Metro" for a in inside)
    assert len(catalog.within(Area())) == len(catalog) - 1  # all but PUSAT


def _data(**changes: Any) -> dict[str, Any]:
    data = dict(load_yaml("agencies.yml"))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"names": {"DLH-1899": "Dinas Lingkungan Hidup"}}, "DLH-1899"),
        (
            {"verification": {"name": "Meja", "handles": {"complaint_category": ["parkir"]}}},
            "parkir",
        ),
        ({"verification": {"name": "Meja", "handles": {"category": ["lainnya"]}}}, "category"),
    ],
)
def test_agencies_yml_mistakes_stop_the_catalogue(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        build_catalog(_data(**changes), PLACES)


def test_a_department_missing_from_agencies_yml_stops_the_catalogue() -> None:
    departments = dict(load_yaml("agencies.yml")["departments"])
    del departments["DISHUB"]
    with pytest.raises(ValueError, match="departments must be exactly"):
        build_catalog(_data(departments=departments), PLACES)


@pytest.mark.parametrize(
    ("text", "level", "parent"),
    [
        ("PU-1871-01", AgencyLevel.KECAMATAN, "PU-1871"),
        (" dlh-18-02", AgencyLevel.KABUPATEN, "DLH-18"),
        ("DUKCAPIL-1872-99", AgencyLevel.KECAMATAN, "DUKCAPIL-1872"),
    ],
)
def test_a_sub_unit_is_one_level_below_its_department_and_escalates_to_it(
    text: str, level: AgencyLevel, parent: str
) -> None:
    parsed = parse_code(text)
    assert (parsed.level, str(parsed.parent), str(parsed)) == (level, parent, text.strip().upper())
    assert parsed.place_code == parse_code(parent).place_code
    assert escalation_target(text) == parent
    assert parse_code(parent).parent is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("PU-1871-00", "two digits 01-99"),
        ("PU-1871-1", "two digits 01-99"),
        ("PU-1871-AB", "two digits 01-99"),
        ("PU-1899-01", "no kabupaten/kota 18.99"),
        (f"KEC-{digits(KEDATON)}-01", "only a department's code takes a sub-unit"),
        ("VERIFIKASI-18-01", "only a department's code takes a sub-unit"),
        ("PU-1871-01-02", "not KIND-DIGITS"),
        ("PUSAT-01", "PUSAT alone"),
    ],
)
def test_an_invalid_sub_unit_is_refused_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(InvalidAgencyCode) as raised:
        parse_code(text)
    assert problem in str(raised.value) and raised.value.code == text


def test_the_seeded_catalogue_has_no_sub_unit(catalog: AgencyCatalog) -> None:
    assert "PU-1871-01" not in catalog
    assert all(parse_code(a.code).parent is None for a in catalog)
    with pytest.raises(UnknownAgency):
        catalog.agency("PU-1871-01")
