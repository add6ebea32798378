"""Figures for the console: a staff member's figures (``/dasbor``, ``/api/stats``), the
public monthly figures (``/statistik``, ``/api/public/stats``) and the header's counts.

The port :class:`FigureQueries` reads only what a :class:`TicketRecord` may know
(no number, name, NIK, phone or description), grouped in the database as
docs/figures.md describes; :class:`FigureDesk` rolls the groups up into the same
figures :mod:`bot.domain.figures` computes from records.
"""

from __future__ import annotations

import abc
import statistics
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from bot.domain.agencies import AgencyCatalog, agency_catalog
from bot.domain.errors import TabikError, with_message
from bot.domain.figures import (
    DONE_STATUSES,
    Outcome,
    PublicFigures,
    StaffFigures,
    TicketRecord,
    month_range,
    public_cells,
    roll_up,
)
from bot.domain.model import TicketStatus
from bot.domain.office_hours import WIB
from bot.domain.sla import SlaRules
from bot.domain.staff import Area, Role, StaffAccount
from bot.domain.vocabulary import canonical_region
from bot.services.shared import Clock, in_thread, utc_now

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "FigureDesk",
    "FigureQueries",
    "FigureScope",
    "HeaderCounts",
    "OutsideScope",
    "PublicGroup",
    "StaffGroup",
    "day_bounds",
]

DEFAULT_DAYS = 84  # twelve weeks up to today, when no range is given
MAX_DAYS = 366


@with_message("figures outside the account's scope: {what}")
class OutsideScope(TabikError, LookupError):
    """A filter names an agency or place the account does not see (answered as 404)."""

    what: str


@dataclass(frozen=True)
class FigureScope:
    """The tickets a figure counts: in ``area``, held or watched by ``held_or_watched_by``
    (an agency officer's agency), and held by ``held_by`` (the ``agency`` filter)."""

    area: Area = field(default_factory=Area)
    held_or_watched_by: str | None = None
    held_by: str | None = None


class StaffGroup(NamedTuple):
    """Tickets received on one WIB day with one status, subject and outcome."""

    day: date
    status: TicketStatus
    category: str
    outcome: Outcome
    tickets: int


class PublicGroup(NamedTuple):
    kabupaten_kota: str | None
    category: str
    agency: str | None
    outcome: Outcome
    tickets: int


class HeaderCounts(NamedTuple):
    """The header's numbers: tickets waiting for a first look, and open escalated ones."""

    new: int
    escalated: int


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def day_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of ``since`` to the end of ``until`` (WIB days)."""
    start = datetime.combine(since, time(0), WIB).astimezone(timezone.utc)
    end = datetime.combine(until + timedelta(days=1), time(0), WIB).astimezone(timezone.utc)
    return start, end


class FigureQueries(abc.ABC):
    """Grouped counts over tickets received in ``[start, end)`` (``bot.adapters.db``).

    A ticket's start is when it was received (``received_at``, else when filed); its
    deadline is ``sla.for_category(category).done_days`` days after that."""

    @abc.abstractmethod
    def staff_groups(
        self, scope: FigureScope, start: datetime, end: datetime, *, now: datetime, sla: SlaRules
    ) -> list[StaffGroup]: ...

    @abc.abstractmethod
    def ratings(self, scope: FigureScope, start: datetime, end: datetime) -> tuple[int, int]:
        """The sum and the number of the ratings of the tickets received."""

    @abc.abstractmethod
    def done_per_day(self, scope: FigureScope, start: datetime, end: datetime) -> dict[date, int]:
        """Tickets of the scope done in ``[start, end)`` per WIB day, whenever received."""

    @abc.abstractmethod
    def middle_days_to_done(
        self, scope: FigureScope, start: datetime, end: datetime, *, done: int
    ) -> list[float]:
        """The middle one (``done`` odd) or two of the days to done, in order."""

    @abc.abstractmethod
    def public_groups(
        self, start: datetime, end: datetime, *, now: datetime, sla: SlaRules
    ) -> list[PublicGroup]: ...

    @abc.abstractmethod
    def header_counts(self, scope: FigureScope) -> HeaderCounts: ...

    @abc.abstractmethod
    def records(
        self, scope: FigureScope, start: datetime, end: datetime, *, sla: SlaRules
    ) -> list[TicketRecord]:
        """The tickets themselves as records (for checks and exports; slower)."""


def roll_up_staff(
    groups: Sequence[StaffGroup],
    done_days: Mapping[date, int],
    middle: Sequence[float],
    ratings: tuple[int, int],
    *,
    since: date,
    until: date,
) -> StaffFigures:
    """The staff figures from grouped counts, exactly as ``staff_figures`` computes them."""
    return roll_up(
        ((g.day, g.status, g.category, g.outcome, g.tickets) for g in groups),
        done_days,
        median_days=round(statistics.mean(middle), 2) if middle else None,
        ratings=ratings,
        since=since,
        until=until,
    )


def roll_up_public(groups: Sequence[PublicGroup], month: str) -> PublicFigures:
    """The public cells from grouped counts; a cell under ``SMALL_CELL`` is left out."""
    return public_cells(
        ((g.kabupaten_kota, g.category, g.agency, g.outcome, g.tickets) for g in groups), month
    )


@dataclass(eq=False)
class FigureDesk:
    """Figures for one staff member's scope, the public month, and the header's counts."""

    queries: FigureQueries
    sla_rules: SlaRules
    _: KW_ONLY
    catalog: AgencyCatalog | None = None
    clock: Clock = utc_now

    def _agencies(self) -> AgencyCatalog:
        if self.catalog is None:
            self.catalog = agency_catalog()
        return self.catalog

    def today(self) -> date:
        return self.clock().astimezone(WIB).date()

    def scope_of(
        self, user: StaffAccount, *, agency: str | None = None, kabupaten_kota: str | None = None
    ) -> FigureScope:
        """The user's tickets, narrowed by the filters; OutsideScope for a filter the user
        does not see (an unknown place or agency, another area, another agency)."""
        area = user.area
        held_or_watched_by = None
        if user.role is Role.OFFICER and user.agency_code:
            held_or_watched_by = user.agency_code
        if kabupaten_kota:
            region = canonical_region(kabupaten_kota)
            if region is None:
                raise OutsideScope(f"kabupaten/kota {kabupaten_kota!r}")
            if area.kabupaten_kota is None:
                area = Area(region)
            elif not _same(area.kabupaten_kota, region):
                raise OutsideScope(f"kabupaten/kota {region}")
        held_by = None
        if agency:
            found = self._agencies().get(agency)
            if found is None:
                raise OutsideScope(f"agency {agency!r}")
            if held_or_watched_by is not None and found.code != held_or_watched_by:
                raise OutsideScope(f"agency {found.code}")
            own = found.area
            if (
                held_or_watched_by is None
                and area.kabupaten_kota is not None
                and (own is None or not own.is_province)
                and (own is None or not _same(own.kabupaten_kota, area.kabupaten_kota))
            ):
                raise OutsideScope(f"agency {found.code}")
            held_by = found.code
        if not user.active:
            raise OutsideScope("inactive account")
        return FigureScope(area, held_or_watched_by, held_by)

    def date_range(self, since: date | None, until: date | None) -> tuple[date, date]:
        """The range asked for, or the last twelve weeks; ValueError when it is backwards or
        longer than a year."""
        until = until or self.today()
        since = since or until - timedelta(days=DEFAULT_DAYS - 1)
        if until < since:
            raise ValueError(f"the range ends ({until}) before it starts ({since})")
        if (until - since).days + 1 > MAX_DAYS:
            raise ValueError(f"a range of at most {MAX_DAYS} days")
        return since, until

    @in_thread
    def staff(
        self,
        user: StaffAccount,
        *,
        agency: str | None = None,
        kabupaten_kota: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> StaffFigures:
        """The staff figures of the user's scope for the days ``since``–``until`` (WIB)."""
        scope = self.scope_of(user, agency=agency, kabupaten_kota=kabupaten_kota)
        since, until = self.date_range(since, until)
        start, end = day_bounds(since, until)
        now = self.clock()
        # Three connections: ratings and the days things were done counted beside the groups.
        with ThreadPoolExecutor(max_workers=2) as pool:
            done_days = pool.submit(self.queries.done_per_day, scope, start, end)
            ratings = pool.submit(self.queries.ratings, scope, start, end)
            groups = self.queries.staff_groups(scope, start, end, now=now, sla=self.sla_rules)
            done = sum(g.tickets for g in groups if g.status in DONE_STATUSES)
            middle = self.queries.middle_days_to_done(scope, start, end, done=done) if done else []
            return roll_up_staff(
                groups, done_days.result(), middle, ratings.result(), since=since, until=until
            )

    def check_month(self, month: str) -> str:
        """``month`` when it is a ``YYYY-MM`` not after this month; ValueError otherwise."""
        first, _ = month_range(month)
        if first > self.today():
            raise ValueError(f"{month} has not begun")
        return month

    def last_month(self) -> str:
        first = self.today().replace(day=1) - timedelta(days=1)
        return f"{first:%Y-%m}"

    @in_thread
    def public(self, month: str) -> PublicFigures:
        """The public cells of a calendar month (WIB); ValueError for a bad or future month."""
        first, last = month_range(self.check_month(month))
        start, end = day_bounds(first, last)
        groups = self.queries.public_groups(start, end, now=self.clock(), sla=self.sla_rules)
        return roll_up_public(groups, month)

    @in_thread
    def header_counts(self, user: StaffAccount) -> HeaderCounts | None:
        """New and escalated tickets of the user's scope; None for an inactive account."""
        if not user.active:
            return None
        return self.queries.header_counts(self.scope_of(user))
