"""Which agency a ticket goes to, and which forwards between agencies are allowed.

A routing rule sends the tickets of one complaint category or document type
(optionally of one kabupaten/kota only) to a kind of agency — the one of the
ticket's kabupaten/kota, or of its desa — or to one agency by code. The
default rules are read from what each kind handles (``bot/data/agencies.yml``);
admins may add their own with :meth:`RoutingTable.with_rule`. A ticket no rule
places goes to the province's verification desk, ``VERIFIKASI-18``: routing
never answers "nowhere".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.domain.agencies import (
    VERIFICATION_CODE,
    Agency,
    AgencyCatalog,
    AgencyKind,
    AgencyLevel,
    InvalidAgencyCode,
    PlaceNames,
    UnknownAgency,
    agency_catalog,
    agency_code,
)
from bot.domain.errors import TabikError, with_message
from bot.domain.gazetteer import DISTRICT, REGENCY, VILLAGE, Place, compact_key
from bot.domain.tickets import TicketKind
from bot.domain.vocabulary import canonical_region, values

__all__ = [
    "WHEN_DESA_UNKNOWN",
    "Forward",
    "ForwardReason",
    "ForwardRefused",
    "RoutingRefused",
    "RoutingRule",
    "RoutingTable",
    "check_forward",
    "default_routing",
    "route",
]

# An application a desa government handles goes to civil registry when the desa is not known.
WHEN_DESA_UNKNOWN = AgencyKind.DUKCAPIL

# What a rule's subject is, for each kind of ticket (the vocabulary's entity names).
_SUBJECTS = {TicketKind.COMPLAINT: "complaint_category", TicketKind.APPLICATION: "document_type"}

Target = AgencyKind | str  # a kind of agency, or one agency's code


@with_message("rule for {subject!r} refused: {problem}")
class RoutingRefused(TabikError, ValueError):
    """A rule that would leave tickets of ``subject`` (category or document type) unplaced."""

    subject: str
    problem: str


class ForwardReason(str, enum.Enum):
    DISPOSISI = "disposisi"  # handed down to a unit to act on
    DELEGASI = "delegasi"  # handed to another agency to act for the holder
    BUKAN_WEWENANG = "bukan_wewenang"  # not the holder's authority: to the one whose it is


@with_message("cannot forward from {holder} to {target} ({reason}): {problem}")
class ForwardRefused(TabikError, ValueError):
    holder: str
    target: str
    reason: str
    problem: str


@dataclass(frozen=True)
class Forward:
    """An allowed forward of a ticket from the agency holding it to another."""

    holder: Agency
    target: Agency
    reason: ForwardReason


def _as_target(target: Target) -> Target:
    if isinstance(target, AgencyKind):
        return target
    text = target.strip().upper()
    return AgencyKind(text) if text in AgencyKind.__members__ else text


@dataclass(frozen=True)
class RoutingRule:
    """Tickets of ``ticket_kind`` about ``subject`` go to ``target``, or else to ``fallback``.

    ``subject`` is a complaint category (complaints) or a document type
    (applications). A kind as target is that kind's agency of the ticket's
    kabupaten/kota (``DESA``, ``KEC``: of its desa, kecamatan); a code is that
    agency. ``kabupaten_kota`` narrows the rule to one kabupaten/kota's tickets.
    """

    ticket_kind: TicketKind
    subject: str
    target: Target
    kabupaten_kota: str | None = None
    fallback: Target | None = None  # when the target cannot be found for a ticket's place

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", _as_target(self.target))
        if self.fallback is not None:
            object.__setattr__(self, "fallback", _as_target(self.fallback))

    @property
    def key(self) -> tuple[TicketKind, str, str]:
        return (self.ticket_kind, self.subject, compact_key(self.kabupaten_kota or ""))


@dataclass(frozen=True, eq=False)
class RoutingTable:
    rules: tuple[RoutingRule, ...]
    catalog: AgencyCatalog = field(default_factory=agency_catalog)
    _by_key: dict[tuple[TicketKind, str, str], RoutingRule] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {rule.key: rule for rule in self.rules})

    @classmethod
    def default(cls, catalog: AgencyCatalog | None = None) -> RoutingTable:
        """The rules the catalogue's agencies imply: each handled value to its kind.

        Values a desa government handles fall back to :data:`WHEN_DESA_UNKNOWN`.
        """
        catalog = catalog or agency_catalog()
        rules: dict[tuple[TicketKind, str], RoutingRule] = {}
        for agency in catalog:
            if agency.kind.is_department and agency.level is AgencyLevel.PROVINSI:
                continue  # the province's departments take escalations, not new tickets
            for ticket_kind, handled in (
                (TicketKind.COMPLAINT, agency.handles.complaint_categories),
                (TicketKind.APPLICATION, agency.handles.document_types),
            ):
                for subject in sorted(handled):
                    rule = RoutingRule(
                        ticket_kind,
                        subject,
                        agency.kind,
                        fallback=WHEN_DESA_UNKNOWN if agency.kind is AgencyKind.DESA else None,
                    )
                    known = rules.setdefault((ticket_kind, subject), rule)
                    if known.target != rule.target:
                        raise ValueError(
                            f"agencies.yml: {subject} is handled by both "
                            f"{known.target} and {rule.target}"
                        )
        return cls(tuple(rules.values()), catalog)

    def rule_for(
        self, ticket_kind: TicketKind, subject: str, kabupaten_kota: str | None = None
    ) -> RoutingRule | None:
        """The rule for one kabupaten/kota's tickets of ``subject``, else the general one."""
        if kabupaten_kota:
            narrow = self._by_key.get((ticket_kind, subject, compact_key(kabupaten_kota)))
            if narrow is not None:
                return narrow
        return self._by_key.get((ticket_kind, subject, ""))

    def route(
        self,
        ticket_kind: TicketKind,
        category: str | None,
        document_type: str | None,
        place: PlaceNames | None,
    ) -> str:
        """The code of the agency a new ticket goes to; ``VERIFIKASI-18`` when no rule places it."""
        subject = category if ticket_kind is TicketKind.COMPLAINT else document_type
        if not subject:
            return VERIFICATION_CODE
        rule = self.rule_for(ticket_kind, subject, place.kabupaten_kota if place else None)
        if rule is None:
            return VERIFICATION_CODE
        for target in (rule.target, rule.fallback):
            agency = self._agency_for(target, place) if target is not None else None
            if agency is not None:
                return agency.code
        return VERIFICATION_CODE

    def with_rule(self, rule: RoutingRule) -> RoutingTable:
        """This table with ``rule`` added (replacing the one for the same subject and scope).

        Raises :class:`RoutingRefused` when the rule names an unknown subject or
        kabupaten/kota, or a target the catalogue cannot place every such ticket with.
        """
        entity = _SUBJECTS[rule.ticket_kind]
        if rule.subject not in values(entity):
            raise RoutingRefused(rule.subject, f"not a {entity} (bot/data/vocabulary.yml)")
        scope = self._scope(rule)
        rule = replace(
            rule,
            kabupaten_kota=scope[0].name if rule.kabupaten_kota else None,
            target=self._checked(rule, rule.target, scope),
            fallback=self._checked(rule, rule.fallback, scope) if rule.fallback else None,
        )
        kept = tuple(r for r in self.rules if r.key != rule.key)
        return RoutingTable((*kept, rule), self.catalog)

    def _scope(self, rule: RoutingRule) -> tuple[Place, ...]:
        places = self.catalog.places
        if rule.kabupaten_kota is None:
            return places.level(REGENCY)
        official = canonical_region(rule.kabupaten_kota) or rule.kabupaten_kota
        regency = places.regency(official)
        if regency is None:
            raise RoutingRefused(rule.subject, f"no kabupaten/kota {rule.kabupaten_kota!r}")
        return (regency,)

    def _checked(self, rule: RoutingRule, target: Target, scope: tuple[Place, ...]) -> Target:
        """``target`` in canonical form when the catalogue has an agency for all of ``scope``."""
        if target in (AgencyKind.VERIFIKASI, AgencyKind.PUSAT):
            target = agency_code(AgencyKind(target))
        if not isinstance(target, AgencyKind):
            try:
                return self.catalog.agency(target).code
            except (InvalidAgencyCode, UnknownAgency) as error:
                raise RoutingRefused(rule.subject, str(error)) from error
        for regency in scope:
            missing = self._without_agency(target, regency)
            if missing is not None:
                raise RoutingRefused(
                    rule.subject,
                    f"no {target.value} agency for {missing.kind} {missing.name} ({missing.code})",
                )
        return target

    def _without_agency(self, kind: AgencyKind, regency: Place) -> Place | None:
        """The first place of ``regency`` a ``kind`` target would find no agency for."""
        if kind.is_department:
            return None if self.catalog.of_kind(kind, regency.name) else regency
        level = VILLAGE if kind is AgencyKind.DESA else DISTRICT
        return next(
            (
                place
                for place in self.catalog.places.within(regency, level)
                if agency_code(kind, place) not in self.catalog
            ),
            None,
        )

    def _agency_for(self, target: Target, place: PlaceNames | None) -> Agency | None:
        if not isinstance(target, AgencyKind):
            return self.catalog.get(target)
        if target in (AgencyKind.VERIFIKASI, AgencyKind.PUSAT):
            return self.catalog.of_kind(target)
        if place is None or not place.kabupaten_kota:
            return None
        if target is AgencyKind.DESA:
            return self.catalog.government_of(place, AgencyLevel.DESA)
        if target is AgencyKind.KEC:
            return self.catalog.government_of(place, AgencyLevel.KECAMATAN)
        return self.catalog.of_kind(target, place.kabupaten_kota)


@lru_cache(maxsize=1)
def default_routing() -> RoutingTable:
    """The default routing table of the seeded catalogue, built once."""
    return RoutingTable.default(agency_catalog())


def route(
    ticket_kind: TicketKind,
    category: str | None,
    document_type: str | None,
    place: PlaceNames | None,
) -> str:
    """The code of the agency a new ticket goes to by the default routing table."""
    return default_routing().route(ticket_kind, category, document_type, place)


def check_forward(
    holder_code: str,
    target_code: str,
    reason: str,
    *,
    catalog: AgencyCatalog | None = None,
) -> Forward:
    """Whether the agency holding a ticket may forward it to ``target_code`` for ``reason``.

    Raises :class:`ForwardRefused` for an unknown reason or code, a forward to
    the holder itself, or one to ``PUSAT`` for any reason but ``bukan_wewenang``.
    """
    catalog = catalog or agency_catalog()

    def refused(problem: str) -> ForwardRefused:
        return ForwardRefused(holder_code, target_code, reason, problem)

    try:
        why = ForwardReason(reason)
    except ValueError:
        known = ", ".join(r.value for r in ForwardReason)
        raise refused(f"{reason!r} is not a reason to forward ({known})") from None
    agencies = []
    for code in (holder_code, target_code):
        try:
            agencies.append(catalog.agency(code))
        except (InvalidAgencyCode, UnknownAgency) as error:
            raise refused(str(error)) from error
    holder, target = agencies
    if holder.code == target.code:
        raise refused(f"the ticket is already with {holder.code}")
    if target.kind is AgencyKind.PUSAT and why is not ForwardReason.BUKAN_WEWENANG:
        raise refused("only bukan_wewenang goes to PUSAT (outside Lampung's authority)")
    return Forward(holder, target, why)
