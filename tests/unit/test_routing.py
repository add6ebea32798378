"""Routing tickets to agencies, admins' rules, and forwards between agencies."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.domain.agencies import DEPARTMENTS, AgencyCatalog, AgencyKind, agency_catalog
from bot.domain.gazetteer import REGENCY, Place, gazetteer
from bot.domain.model import Ticket
from bot.domain.places import Location
from bot.domain.routing import (
    ForwardReason,
    ForwardRefused,
    RoutingRefused,
    RoutingRule,
    RoutingTable,
    check_forward,
    default_routing,
    route,
)
from bot.domain.staff import Area
from bot.domain.tickets import TicketKind
from bot.domain.vocabulary import values

ADU, MHN = TicketKind.COMPLAINT, TicketKind.APPLICATION
PLACES = gazetteer()


def child(parent: Place, name: str) -> Place:
    (found,) = [p for p in PLACES.children(parent.code) if p.name == name]
    return found


def desa_code(kabupaten_kota: str, kecamatan: str, desa: str) -> str:
    regency = PLACES.regency(kabupaten_kota)
    assert regency is not None
    place = child(child(regency, kecamatan), desa)
    return "DESA-" + place.code.replace(".", "")


HAJIMENA = desa_code("Lampung Selatan", "Natar", "Hajimena")
SIDODADI = desa_code("Bandar Lampung", "Kedaton", "Sidodadi")
NOW = datetime(2026, 12, 8, 3, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("kind", "category", "document_type", "place", "code"),
    [
        (ADU, "sampah", None, Area("Bandar Lampung", "Kedaton"), "DLH-1871"),
        (ADU, "jalan", None, Area("Metro"), "PU-1872"),
        (ADU, "penerangan", None, Area("Metro"), "DISHUB-1872"),
        (ADU, "banjir", None, Area("Lampung Selatan", "Natar"), "BPBD-1801"),
        (ADU, "air", None, Area("Bandar Lampung"), "AIR-1871"),
        (ADU, "pungli", None, Area("Metro"), "INSPEKTORAT-1872"),
        (ADU, "kesehatan", None, Area("Metro"), "DINKES-1872"),
        (ADU, "pendidikan", None, Area("Lampung Selatan"), "DISDIK-1801"),
        (ADU, "pelayanan", None, Area("Bandar Lampung", "Kedaton"), "VERIFIKASI-18"),
        (ADU, "lainnya", None, Area("Metro"), "VERIFIKASI-18"),
        # No kabupaten/kota, one the gazetteer lacks, a category the table does not name.
        (ADU, "sampah", None, Area(), "VERIFIKASI-18"),
        (ADU, "sampah", None, None, "VERIFIKASI-18"),
        (ADU, "sampah", None, Area("Jakarta Selatan"), "VERIFIKASI-18"),
        (ADU, "parkir", None, Area("Metro"), "VERIFIKASI-18"),
        (ADU, None, None, Area("Metro"), "VERIFIKASI-18"),
        # Applications: civil registry of the kabupaten/kota; SKTM and domisili at the desa.
        (MHN, None, "ktp", Area("Metro"), "DUKCAPIL-1872"),
        (MHN, None, "kk", Area("Lampung Selatan", "Natar", "Hajimena"), "DUKCAPIL-1801"),
        (MHN, None, "akta_kelahiran", Area("Bandar Lampung"), "DUKCAPIL-1871"),
        (MHN, None, "akta_kematian", Area("Metro"), "DUKCAPIL-1872"),
        (MHN, None, "surat_pindah", Area("Metro"), "DUKCAPIL-1872"),
        (MHN, None, "kia", Area("Metro"), "DUKCAPIL-1872"),
        (MHN, None, "sktm", Area("Lampung Selatan", "Natar", "Hajimena"), HAJIMENA),
        (MHN, None, "sktm", Area("Lampung Selatan", None, "Hajimena"), HAJIMENA),
        (MHN, None, "surat_domisili", Area("Bandar Lampung", "Kedaton", "Sidodadi"), SIDODADI),
        (MHN, None, "sktm", Area("Lampung Selatan", "Natar"), "DUKCAPIL-1801"),
        (MHN, None, "sktm", Area("Lampung Selatan", "Natar", "Atlantis"), "DUKCAPIL-1801"),
        (MHN, None, "surat_domisili", Area(), "VERIFIKASI-18"),
        (MHN, None, "ktp", None, "VERIFIKASI-18"),
        # The subject is the one of the ticket's kind.
        (MHN, "sampah", None, Area("Metro"), "VERIFIKASI-18"),
        (ADU, None, "ktp", Area("Metro"), "VERIFIKASI-18"),
    ],
)
def test_default_routing(
    kind: TicketKind,
    category: str | None,
    document_type: str | None,
    place: Area | None,
    code: str,
) -> None:
    assert route(kind, category, document_type, place) == code


def test_a_ticket_and_a_form_location_are_places_to_route() -> None:
    ticket = Ticket.file(
        number="ADU-261208-ABCD",
        kind=ADU,
        actor="resident",
        at=NOW,
        category="sampah",
        kabupaten_kota="Bandar Lampung",
        kecamatan="Kedaton",
    )
    assert route(ticket.kind, ticket.category, ticket.document_type, ticket) == "DLH-1871"
    location = Location("Bandar Lampung", "Kedaton", "Sidodadi")
    assert route(MHN, None, "sktm", location) == SIDODADI


def test_every_ticket_routes_to_an_agency_of_the_catalogue() -> None:
    catalog = agency_catalog()
    for regency in (*PLACES.level(REGENCY), None):
        place = Area(regency.name if regency else None)
        for kind, entity in ((ADU, "complaint_category"), (MHN, "document_type")):
            for subject in values(entity):
                code = (
                    route(kind, subject, None, place)
                    if kind is ADU
                    else route(kind, None, subject, place)
                )
                assert code in catalog, (kind, subject, place)


def test_an_incomplete_catalogue_still_routes_somewhere() -> None:
    catalog = AgencyCatalog(tuple(a for a in agency_catalog() if a.code != "DLH-1872"))
    table = RoutingTable.default(catalog)
    assert table.route(ADU, "sampah", None, Area("Metro")) == "VERIFIKASI-18"
    assert table.route(ADU, "sampah", None, Area("Bandar Lampung")) == "DLH-1871"


def test_a_rule_for_one_kabupaten_kota_comes_before_the_general_one() -> None:
    table = default_routing().with_rule(RoutingRule(ADU, "jalan", "pu-18", "kota metro"))
    assert table.route(ADU, "jalan", None, Area("Metro")) == "PU-18"
    assert table.route(ADU, "jalan", None, Area("Bandar Lampung")) == "PU-1871"
    rule = table.rule_for(ADU, "jalan", "Metro")
    assert rule is not None and rule.kabupaten_kota == "Metro" and rule.target == "PU-18"
    # The table it came from is unchanged.
    assert default_routing().route(ADU, "jalan", None, Area("Metro")) == "PU-1872"


def test_a_rule_replaces_the_one_for_the_same_subject_and_scope() -> None:
    table = default_routing().with_rule(RoutingRule(ADU, "pelayanan", "inspektorat"))
    assert table.route(ADU, "pelayanan", None, Area("Metro")) == "INSPEKTORAT-1872"
    assert len(table.rules) == len(default_routing().rules)
    table = table.with_rule(RoutingRule(ADU, "lainnya", AgencyKind.PUSAT))
    assert table.route(ADU, "lainnya", None, Area("Metro")) == "PUSAT"


def test_a_rule_with_a_fallback_uses_it_where_the_target_is_not_known() -> None:
    rule = RoutingRule(ADU, "banjir", AgencyKind.KEC, fallback="BPBD")
    table = default_routing().with_rule(rule)
    bandar_lampung = PLACES.regency("Bandar Lampung")
    assert bandar_lampung is not None
    kedaton = "KEC-" + child(bandar_lampung, "Kedaton").code.replace(".", "")
    assert table.route(ADU, "banjir", None, Area("Bandar Lampung", "Kedaton")) == kedaton
    assert table.route(ADU, "banjir", None, Area("Bandar Lampung")) == "BPBD-1871"


@pytest.mark.parametrize(
    ("rule", "subject", "problem"),
    [
        (RoutingRule(ADU, "sampah", "DLH-1899"), "sampah", "no kabupaten/kota 18.99"),
        (RoutingRule(ADU, "sampah", "SATPOL-1871"), "sampah", "SATPOL is not an agency kind"),
        (RoutingRule(ADU, "jalan", "PU-1871", "Jakarta"), "jalan", "no kabupaten/kota 'Jakarta'"),
        (RoutingRule(ADU, "parkir", AgencyKind.DISHUB), "parkir", "not a complaint_category"),
        (RoutingRule(MHN, "sampah", AgencyKind.DLH), "sampah", "not a document_type"),
        (RoutingRule(MHN, "ktp", AgencyKind.DESA, fallback="DUKCAPIL-3171"), "ktp", "3171"),
    ],
)
def test_a_rule_to_no_agency_is_refused(rule: RoutingRule, subject: str, problem: str) -> None:
    with pytest.raises(RoutingRefused) as raised:
        default_routing().with_rule(rule)
    assert raised.value.subject == subject
    assert subject in str(raised.value) and problem in str(raised.value)


def test_a_rule_to_a_kind_missing_in_some_kabupaten_kota_is_refused() -> None:
    catalog = AgencyCatalog(tuple(a for a in agency_catalog() if a.code != "DLH-1872"))
    table = RoutingTable.default(catalog).with_rule(RoutingRule(ADU, "banjir", "BPBD"))
    with pytest.raises(RoutingRefused) as raised:
        table.with_rule(RoutingRule(ADU, "banjir", AgencyKind.DLH))
    assert raised.value.subject == "banjir" and "Metro" in raised.value.problem
    # Where the kind is there, the same rule narrowed to one kabupaten/kota is fine.
    narrowed = table.with_rule(RoutingRule(ADU, "banjir", AgencyKind.DLH, "Bandar Lampung"))
    assert narrowed.route(ADU, "banjir", None, Area("Bandar Lampung")) == "DLH-1871"
    with pytest.raises(RoutingRefused):
        table.with_rule(RoutingRule(ADU, "banjir", AgencyKind.DLH, "Metro"))


def test_a_rule_to_desa_governments_some_desa_lack_is_refused() -> None:
    catalog = AgencyCatalog(tuple(a for a in agency_catalog() if a.code != HAJIMENA))
    table = RoutingTable.default(catalog)
    with pytest.raises(RoutingRefused, match="Hajimena"):
        table.with_rule(RoutingRule(MHN, "sktm", AgencyKind.DESA, fallback="DUKCAPIL"))
    narrowed = table.with_rule(RoutingRule(MHN, "sktm", AgencyKind.DESA, "Metro"))
    assert narrowed.rule_for(MHN, "sktm", "Metro") is not None


@pytest.mark.parametrize("kind", DEPARTMENTS)
def test_a_rule_to_any_department_is_accepted(kind: AgencyKind) -> None:
    table = default_routing().with_rule(RoutingRule(ADU, "lainnya", kind))
    assert table.route(ADU, "lainnya", None, Area("Metro")) == f"{kind.value}-1872"


@pytest.mark.parametrize(
    ("holder", "target", "reason"),
    [
        ("VERIFIKASI-18", "DLH-1871", "disposisi"),
        ("DLH-18", "dlh-1871", "delegasi"),
        ("DLH-1871", "PU-1871", "bukan_wewenang"),
        (HAJIMENA, "DUKCAPIL-1801", "bukan_wewenang"),
        ("DLH-1871", "PUSAT", "bukan_wewenang"),
    ],
)
def test_allowed_forwards(holder: str, target: str, reason: str) -> None:
    forward = check_forward(holder, target, reason)
    assert forward.holder.code == holder.upper() and forward.target.code == target.upper()
    assert forward.reason is ForwardReason(reason)


@pytest.mark.parametrize(
    ("holder", "target", "reason", "problem"),
    [
        ("DLH-1871", "DLH-1899", "bukan_wewenang", "DLH-1899"),
        ("SATPOL-18", "DLH-1871", "disposisi", "SATPOL-18"),
        ("DLH-1871", "dlh-1871", "delegasi", "already with DLH-1871"),
        ("DLH-1871", "PUSAT", "disposisi", "only bukan_wewenang goes to PUSAT"),
        ("DLH-1871", "PUSAT", "delegasi", "only bukan_wewenang goes to PUSAT"),
        ("DLH-1871", "PU-1871", "salah_kirim", "'salah_kirim' is not a reason"),
    ],
)
def test_refused_forwards_name_the_problem(
    holder: str, target: str, reason: str, problem: str
) -> None:
    with pytest.raises(ForwardRefused) as raised:
        check_forward(holder, target, reason)
    assert problem in str(raised.value)
    assert (raised.value.holder, raised.value.target, raised.value.reason) == (
        holder,
        target,
        reason,
    )


def test_a_forward_to_an_agency_the_catalogue_lacks_is_refused() -> None:
    catalog = AgencyCatalog(tuple(a for a in agency_catalog() if a.code != "DLH-1872"))
    with pytest.raises(ForwardRefused, match="no agency DLH-1872"):
        check_forward("DLH-18", "DLH-1872", "disposisi", catalog=catalog)
