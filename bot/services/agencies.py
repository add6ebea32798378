"""Agencies in the system: the effective catalogue and routing table, and admins' changes.

The effective catalogue is the domain's (``bot.domain.agencies``) with the admins'
``agencies`` rows on top (a department's new sub-unit, ``PU-1871-01``, or a new name for
one of the catalogue's);
the effective routing table is the default one with the admins' ``routing_rules``
applied in order (:meth:`RoutingTable.with_rule`). Routing runs on every filing, so
both are kept in the process and built again only when the rows change
(:meth:`AgencyRepository.version`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.agencies import (
    Agency,
    AgencyCatalog,
    AgencyCode,
    AgencyLevel,
    Handles,
    agency_catalog,
    parse_code,
)
from bot.domain.errors import TabikError, with_message
from bot.domain.routing import RoutingRefused, RoutingRule, RoutingTable, default_routing
from bot.domain.staff import Area
from bot.domain.tickets import TicketKind
from bot.domain.vocabulary import canonical_region, values
from bot.services.repositories import AgencyRow, RuleRow
from bot.services.shared import UnitOfWorkService, audit, in_thread
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "Agencies",
    "AgencyDirectory",
    "AgencyRefused",
    "Directory",
    "agency_json",
    "build_directory",
    "ticket_kind_of",
]

log = logging.getLogger(__name__)


@with_message("agency {code!r} refused: {problem}")
class AgencyRefused(TabikError, ValueError):
    """An agency an admin cannot add: a bad level or kabupaten/kota, or a level change."""

    code: str
    problem: str


@dataclass(frozen=True, eq=False)
class Directory:
    """The effective catalogue and routing table at one moment."""

    catalog: AgencyCatalog
    routing: RoutingTable

    def name_of(self, code: str | None) -> str | None:
        agency = self.catalog.get(code) if code else None
        return agency.name if agency else None


def _agency_of(row: AgencyRow, known: Agency | None) -> Agency:
    handles = Handles.parse(row.handles) if row.handles else None
    if known is not None:
        return replace(known, name=row.name, handles=handles or known.handles)
    parsed = parse_code(row.code)
    return Agency(
        code=str(parsed),
        name=row.name,
        kind=parsed.kind,
        level=AgencyLevel(row.level),
        area=Area(row.kabupaten_kota) if row.kabupaten_kota else Area(),
        place_code=parsed.place_code,
        handles=handles or Handles(),
    )


def build_directory(rows: list[AgencyRow], rules: list[RuleRow]) -> Directory:
    """The seeded catalogue and default routing with the admins' rows on top."""
    if not rows and not rules:
        return Directory(agency_catalog(), default_routing())
    base = agency_catalog()
    if rows:
        by_code = {a.code: a for a in base}
        for row in rows:
            agency = _agency_of(row, by_code.get(row.code))
            by_code[agency.code] = agency
        catalog = AgencyCatalog(tuple(by_code.values()), base.places)
        table = RoutingTable.default(catalog)
    else:
        catalog, table = base, default_routing()
    for rule in rules:
        try:
            table = table.with_rule(
                RoutingRule(rule.ticket_kind, rule.subject, rule.target, rule.kabupaten_kota)
            )
        except RoutingRefused as error:
            # Accepted once, refused now (the catalogue changed): the default stands.
            log.warning("stored routing rule skipped: %s", error)
    return Directory(catalog, table)


class AgencyDirectory:
    """The effective :class:`Directory`, kept until the admins' rows change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, ...], Directory] | None = None

    def current(self, uow: AbstractUnitOfWork) -> Directory:
        version = uow.agencies.version()
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._lock:
            directory = build_directory(uow.agencies.agencies(), uow.agencies.rules())
            self._cached = (version, directory)
        return directory

    def route(self, uow: AbstractUnitOfWork, ticket: Any) -> str:
        """The code of the agency a new ticket goes to (never None: ``VERIFIKASI-18``)."""
        return self.current(uow).routing.route(
            ticket.kind, ticket.category, ticket.document_type, ticket
        )


def _sub_unit_region(
    code: AgencyCode, level: AgencyLevel, region: str | None, catalog: AgencyCatalog
) -> str | None:
    """The kabupaten/kota of a new sub-unit of ``code.parent``; AgencyRefused when it cannot be."""
    parent = catalog.get(str(code.parent)) if code.parent else None
    if parent is None or parent.area is None:
        raise AgencyRefused(str(code), "only a sub-unit of a department can be added (PU-1871-01)")
    if level is not code.level:
        raise AgencyRefused(
            str(code), f"a sub-unit of {parent.code} is at level {code.level.value}"
        )
    own = parent.area.kabupaten_kota
    if own is not None and region is not None and region != own:
        raise AgencyRefused(str(code), f"{parent.code} works in {own}, not {region}")
    return own or region


def ticket_kind_of(subject: str) -> TicketKind:
    """A complaint category's or a document type's kind of ticket; RoutingRefused otherwise."""
    if subject in values("complaint_category"):
        return TicketKind.COMPLAINT
    if subject in values("document_type"):
        return TicketKind.APPLICATION
    raise RoutingRefused(subject, "not a complaint_category or document_type")


def agency_json(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level.value,
        "kabupaten_kota": agency.area.kabupaten_kota if agency.area else None,
        "handles": {
            "complaint_category": sorted(agency.handles.complaint_categories),
            "document_type": sorted(agency.handles.document_types),
        },
    }


@dataclass(eq=False, kw_only=True)
class Agencies(UnitOfWorkService):
    """The agencies for staff and admins: listing, adding, and admins' routing rules."""

    directory: AgencyDirectory

    @in_thread
    def search(
        self, text: str = "", *, offset: int = 0, limit: int | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many agencies match ``text`` (code or name), and the page from ``offset``."""
        with self.uow_factory() as uow:
            catalog = self.directory.current(uow).catalog
        needle = text.strip().casefold()
        found = [
            a
            for a in catalog
            if not needle or needle in a.code.casefold() or needle in a.name.casefold()
        ]
        end = None if limit is None else offset + limit
        return len(found), [agency_json(a) for a in found[offset:end]]

    @in_thread
    def name_of(self, code: str) -> str | None:
        """The name of the agency of ``code`` in the effective catalogue (None: no such agency)."""
        with self.uow_factory() as uow:
            return self.directory.current(uow).name_of(code)

    @in_thread
    def add(
        self, code: str, *, name: str, level: str, kabupaten_kota: str | None, actor: str
    ) -> dict[str, Any]:
        """Add a department's sub-unit or rename an agency; InvalidAgencyCode /
        AgencyRefused for a bad one.

        A sub-unit (``PU-1871-01``) is one level below its department and works in the
        department's kabupaten/kota (a province department's sub-unit: in the one named).
        """
        parsed = parse_code(code)
        name = name.strip()
        if not name:
            raise AgencyRefused(code, "a name is needed")
        try:
            agency_level = AgencyLevel(level.strip().lower())
        except ValueError:
            levels = ", ".join(lv.value for lv in AgencyLevel)
            raise AgencyRefused(code, f"{level!r} is not a level ({levels})") from None
        region = None
        if kabupaten_kota and kabupaten_kota.strip():
            region = canonical_region(kabupaten_kota)
            if region is None:
                raise AgencyRefused(code, f"no kabupaten/kota {kabupaten_kota!r}")
        with self.uow_factory() as uow:
            now = self.clock()
            catalog = self.directory.current(uow).catalog
            known = catalog.get(str(parsed))
            if known is not None and known.level is not agency_level:
                raise AgencyRefused(code, f"{known.code} is at level {known.level.value}")
            if known is None:
                region = _sub_unit_region(parsed, agency_level, region, catalog)
            row = AgencyRow(
                code=str(parsed),
                name=name,
                level=agency_level.value,
                kabupaten_kota=region
                or (known.area.kabupaten_kota if known and known.area else None),
            )
            uow.agencies.save_agency(row, at=now)
            action = "agency.renamed" if known is not None else "agency.added"
            details = {"name": name, "level": row.level, "kabupaten_kota": row.kabupaten_kota}
            audit(uow, actor, action, row.code, now, details)
            uow.commit()
            agency = self.directory.current(uow).catalog.agency(row.code)
        log.info("%s by %s", action, actor)
        return agency_json(agency)

    @in_thread
    def add_rule(
        self, subject: str, target: str, *, kabupaten_kota: str | None, actor: str
    ) -> dict[str, Any]:
        """An admin's routing rule; RoutingRefused (naming ``subject``) for one that would
        leave tickets without an agency."""
        subject = subject.strip().lower()
        kind = ticket_kind_of(subject)
        scope = (kabupaten_kota or "").strip() or None
        with self.uow_factory() as uow:
            table = self.directory.current(uow).routing.with_rule(
                RoutingRule(kind, subject, target, scope)
            )
            rule = table.rule_for(kind, subject, scope)
            assert rule is not None
            stored = RuleRow(
                ticket_kind=kind,
                subject=subject,
                target=getattr(rule.target, "value", str(rule.target)),
                kabupaten_kota=rule.kabupaten_kota,
            )
            now = self.clock()
            uow.agencies.add_rule(stored, created_by=actor, at=now)
            details = {
                "ticket_kind": kind.value,
                "target": stored.target,
                "kabupaten_kota": stored.kabupaten_kota,
            }
            audit(uow, actor, "routing.rule_added", subject, now, details)
            uow.commit()
        log.info("routing rule for %s → %s by %s", subject, stored.target, actor)
        return {"ticket": subject, **details}
