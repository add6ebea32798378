"""The effective catalogue and routing table: the admins' rows on top of the defaults."""

from __future__ import annotations

from types import SimpleNamespace

from bot.domain.agencies import agency_catalog
from bot.domain.routing import default_routing
from bot.domain.tickets import TicketKind
from bot.services.agencies import AgencyDirectory, build_directory
from bot.services.repositories import AgencyRow, RuleRow

KEDATON = SimpleNamespace(kabupaten_kota="Bandar Lampung", kecamatan="Kedaton", desa=None)


def test_without_admins_rows_the_defaults_are_used_as_they_are():
    directory = build_directory([], [])
    assert directory.catalog is agency_catalog() and directory.routing is default_routing()


def test_a_renamed_agency_keeps_what_it_handles_and_rules_apply_in_order():
    directory = build_directory(
        [AgencyRow("DLH-1871", "Dinas Kebersihan Kota Bandar Lampung", "kabupaten")],
        [
            RuleRow(TicketKind.COMPLAINT, "sampah", "PU"),
            RuleRow(TicketKind.COMPLAINT, "sampah", "DLH", "Bandar Lampung"),
            RuleRow(TicketKind.COMPLAINT, "air", "DLH-9999"),  # refused now: skipped
        ],
    )
    assert directory.name_of("DLH-1871") == "Dinas Kebersihan Kota Bandar Lampung"
    assert directory.catalog.agency("DLH-1871").handles.complaint_categories == {"sampah"}
    route = directory.routing.route
    assert route(TicketKind.COMPLAINT, "sampah", None, KEDATON) == "DLH-1871"
    metro = SimpleNamespace(kabupaten_kota="Metro", kecamatan=None, desa=None)
    assert route(TicketKind.COMPLAINT, "sampah", None, metro) == "PU-1872"
    assert route(TicketKind.COMPLAINT, "air", None, metro) == "AIR-1872"


class Rows:
    """The agencies' port in memory, counting how often the rows are read."""

    def __init__(self) -> None:
        self.rules_read = 0
        self.stored: list[RuleRow] = []

    def version(self) -> tuple[int, ...]:
        return (0, 0, len(self.stored), len(self.stored))

    def agencies(self) -> list[AgencyRow]:
        return []

    def rules(self) -> list[RuleRow]:
        self.rules_read += 1
        return list(self.stored)


def test_the_directory_is_built_again_only_when_the_rows_change():
    rows = Rows()
    uow = SimpleNamespace(agencies=rows)
    cache = AgencyDirectory()
    ticket = SimpleNamespace(kind=TicketKind.COMPLAINT, category="sampah", document_type=None)
    ticket.__dict__.update(vars(KEDATON))
    assert cache.route(uow, ticket) == "DLH-1871"  # type: ignore[arg-type]
    assert cache.route(uow, ticket) == "DLH-1871"  # type: ignore[arg-type]
    assert rows.rules_read == 1
    rows.stored.append(RuleRow(TicketKind.COMPLAINT, "sampah", "PU"))
    assert cache.route(uow, ticket) == "PU-1871"  # type: ignore[arg-type]
    assert rows.rules_read == 2


def test_an_admins_sub_unit_joins_the_catalogue_below_its_department():
    directory = build_directory(
        [
            AgencyRow(
                "PU-1871-01",
                "UPT Jalan Wilayah Utara Kota Bandar Lampung",
                "kecamatan",
                "Bandar Lampung",
            )
        ],
        [RuleRow(TicketKind.COMPLAINT, "jalan", "PU-1871-01", "Bandar Lampung")],
    )
    unit = directory.catalog.agency("pu-1871-01")
    assert (unit.kind.value, unit.level.value) == ("PU", "kecamatan")
    assert unit.area is not None and unit.area.kabupaten_kota == "Bandar Lampung"
    assert not unit.handles.complaint_categories  # takes delegations and rules, not defaults
    route = directory.routing.route
    assert route(TicketKind.COMPLAINT, "jalan", None, KEDATON) == "PU-1871-01"
    metro = SimpleNamespace(kabupaten_kota="Metro", kecamatan=None, desa=None)
    assert route(TicketKind.COMPLAINT, "jalan", None, metro) == "PU-1872"
