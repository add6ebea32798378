"""Figures for staff and the public, computed from plain ticket records (docs/figures.md).

:class:`TicketRecord` is all a figure may know about a ticket: when it came in, its
status, subject, place and agency, its service-level deadline, when it was done
and its rating. It has no field for a name, NIK, phone number or description, so
no figure can carry one.

Every figure is a count, a share or a median over groups of week, status,
category or (kabupaten/kota, category, agency): a SQL implementation mirrors it
with ``GROUP BY`` and ``COUNT(*) FILTER (WHERE ...)`` (docs/figures.md shows how).
"""

from __future__ import annotations

import enum
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import TypedDict

from bot.domain.errors import TabikError, with_message
from bot.domain.model import TicketStatus
from bot.domain.office_hours import WIB
from bot.domain.ratings import MAX_SCORE, MIN_SCORE
from bot.domain.staff import Area

__all__ = [
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "SMALL_CELL",
    "InvalidTicketRecord",
    "Outcome",
    "PublicCell",
    "PublicFigures",
    "StaffFigures",
    "TicketRecord",
    "WeekFigures",
    "iso_week",
    "month_range",
    "on_time_share",
    "public_cells",
    "public_figures",
    "published_totals",
    "roll_up",
    "staff_figures",
]

# A public cell counting fewer tickets than this is left out (docs/figures.md, "Small cells").
SMALL_CELL = 5

DONE_STATUSES = frozenset({TicketStatus.SELESAI, TicketStatus.DITOLAK})
OPEN_STATUSES = tuple(s for s in TicketStatus if s not in DONE_STATUSES)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@with_message("invalid ticket record {field}: {problem}")
class InvalidTicketRecord(TabikError, ValueError):
    """A record no ticket could have produced (a done time without a final status, …)."""

    field: str
    problem: str


class Outcome(enum.IntEnum):
    """A ticket against its service-level deadline. Done by the deadline (to the second)
    is on time; done after it, or still open past it, is not; open before it does not count."""

    PENDING = 0
    ON_TIME = 1
    LATE = 2
    OVERDUE = 3

    @property
    def counts(self) -> bool:
        return self is not Outcome.PENDING

    @property
    def done(self) -> bool:
        return self in (Outcome.ON_TIME, Outcome.LATE)


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One ticket as figures see it; times are timezone-aware.

    ``category`` is the complaint category or, for an application, the document
    type. ``due_at`` is the service-level deadline for being done; ``done_at`` is
    when the ticket reached ``selesai`` or ``ditolak`` (None while it is open).
    """

    received_at: datetime
    status: TicketStatus
    category: str
    kabupaten_kota: str | None
    due_at: datetime
    agency: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    done_at: datetime | None = None
    rating: int | None = None  # the resident's score of the handling, when they gave one
    # Derived once here, read by every figure over the record.
    received_day: date = field(init=False, repr=False, compare=False)  # WIB
    done_day: date | None = field(init=False, repr=False, compare=False)  # WIB
    _done_outcome: Outcome | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.status, TicketStatus):  # a status word read from a row
            try:
                object.__setattr__(self, "status", TicketStatus(self.status))
            except ValueError:
                raise InvalidTicketRecord("status", f"{self.status!r} is no status") from None
        if self.received_at.tzinfo is None:
            raise InvalidTicketRecord("received_at", "needs a timezone")
        if self.due_at.tzinfo is None:
            raise InvalidTicketRecord("due_at", "needs a timezone")
        if (self.done_at is not None) != (self.status in DONE_STATUSES):
            raise InvalidTicketRecord("done_at", f"set exactly when done, not in {self.status}")
        if self.done_at is not None and self.done_at.tzinfo is None:
            raise InvalidTicketRecord("done_at", "needs a timezone")
        if self.rating is not None and not MIN_SCORE <= self.rating <= MAX_SCORE:
            raise InvalidTicketRecord("rating", f"{self.rating} is not {MIN_SCORE}–{MAX_SCORE}")
        done = self.done_at
        object.__setattr__(self, "received_day", _local_date(self.received_at))
        object.__setattr__(self, "done_day", None if done is None else _local_date(done))
        outcome = None if done is None else Outcome.ON_TIME if done <= self.due_at else Outcome.LATE
        object.__setattr__(self, "_done_outcome", outcome)

    @property
    def days_to_done(self) -> float | None:
        """Days (with fractions) from received to done; None while open."""
        if self.done_at is None:
            return None
        return (self.done_at - self.received_at).total_seconds() / 86400

    def outcome(self, now: datetime) -> Outcome:
        """Where it stands against its deadline at ``now`` (one SQL ``CASE``)."""
        if self._done_outcome is not None:
            return self._done_outcome
        return Outcome.OVERDUE if self.due_at < now else Outcome.PENDING


class WeekFigures(TypedDict):
    week: str
    received: int
    done: int


class StaffFigures(TypedDict):
    received: int
    open_by_status: dict[str, int]
    on_time_share: float | None
    median_days_to_done: float | None
    average_rating: float | None
    by_week: list[WeekFigures]
    by_category: dict[str, int]


class PublicCell(TypedDict):
    kabupaten_kota: str | None
    category: str
    agency: str | None
    received: int
    done: int
    on_time_share: float | None


class PublicFigures(TypedDict):
    month: str
    cells: list[PublicCell]


def _local_date(at: datetime) -> date:
    return at.astimezone(WIB).date()


@lru_cache(maxsize=4096)
def _week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def iso_week(at: datetime | date) -> str:
    """``2026-W49``: the ISO week of a day (a time is read in WIB). 2027-01-01 is in 2026-W53."""
    return _week_of(_local_date(at) if isinstance(at, datetime) else at)


def _weeks(since: date, until: date) -> Iterator[str]:
    monday = since - timedelta(days=since.weekday())
    while monday <= until:
        yield _week_of(monday)
        monday += timedelta(days=7)


def on_time_share(by_outcome: Mapping[Outcome, int]) -> float | None:
    """Done on time among the tickets that count (done, or open past their deadline)."""
    counted = sum(n for outcome, n in by_outcome.items() if outcome.counts)
    return round(by_outcome.get(Outcome.ON_TIME, 0) / counted, 4) if counted else None


def _in_scope(record: TicketRecord, agency: str | None, area: Area | None) -> bool:
    if agency is not None and record.agency != agency:
        return False
    return area is None or area.contains(record.kabupaten_kota, record.kecamatan, record.desa)


def staff_figures(
    records: Iterable[TicketRecord],
    *,
    since: date,
    until: date,
    agency: str | None = None,
    area: Area | None = None,
    now: datetime | None = None,
) -> StaffFigures:
    """The staff figures of an agency and/or an area for the days ``since``–``until`` (WIB).

    ``received``, ``open_by_status``, ``on_time_share``, ``median_days_to_done``,
    ``average_rating`` and ``by_category`` are about the tickets received in the
    range; ``by_week`` counts tickets received and tickets done in each ISO week
    of the range (every week listed, zeros included). ``now`` (default: the
    clock) decides which open tickets are already past their deadline.
    """
    if until < since:
        raise ValueError(f"the range ends ({until}) before it starts ({since})")
    now = now or datetime.now(timezone.utc)
    # One pass, grouped as SQL would: GROUP BY received day, status, category, outcome.
    groups: Counter[tuple[date, TicketStatus, str, Outcome]] = Counter()
    done_days: Counter[date] = Counter()
    days_to_done: list[float] = []
    rating_sum = rating_count = 0
    if agency is not None or area is not None:
        records = (r for r in records if _in_scope(r, agency, area))
    for record in records:
        if record.done_day is not None:
            done_days[record.done_day] += 1
        day = record.received_day
        if not since <= day <= until:
            continue
        groups[day, record.status, record.category, record.outcome(now)] += 1
        days = record.days_to_done
        if days is not None:
            days_to_done.append(days)
        if record.rating is not None:
            rating_sum += record.rating
            rating_count += 1
    median = round(statistics.median(days_to_done), 2) if days_to_done else None
    return roll_up(
        ((*key, count) for key, count in groups.items()),
        done_days,
        median_days=median,
        ratings=(rating_sum, rating_count),
        since=since,
        until=until,
    )


def roll_up(
    groups: Iterable[tuple[date, TicketStatus, str, Outcome, int]],
    done_days: Mapping[date, int],
    *,
    median_days: float | None,
    ratings: tuple[int, int],
    since: date,
    until: date,
) -> StaffFigures:
    """The staff figures from counts grouped by received day, status, category and outcome
    (here from records, in the database by SQL) and tickets done per day."""
    by_status: Counter[TicketStatus] = Counter()
    by_category: Counter[str] = Counter()
    by_outcome: Counter[Outcome] = Counter()
    received_by_week: Counter[str] = Counter()
    for day, status, category, outcome, count in groups:
        by_status[status] += count
        by_category[category] += count
        by_outcome[outcome] += count
        received_by_week[_week_of(day)] += count
    done_by_week: Counter[str] = Counter()
    for day, count in done_days.items():
        if since <= day <= until:
            done_by_week[_week_of(day)] += count
    rating_sum, rating_count = ratings
    return {
        "received": by_category.total(),
        "open_by_status": {status.value: by_status[status] for status in OPEN_STATUSES},
        "on_time_share": on_time_share(by_outcome),
        "median_days_to_done": median_days,
        "average_rating": round(rating_sum / rating_count, 2) if rating_count else None,
        "by_week": [
            {"week": week, "received": received_by_week[week], "done": done_by_week[week]}
            for week in _weeks(since, until)
        ],
        "by_category": dict(sorted(by_category.items(), key=lambda item: (-item[1], item[0]))),
    }


def month_range(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM`` (ValueError for anything else)."""
    found = _MONTH.match(month)
    if found is None:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    first = date(int(found[1]), int(found[2]), 1)
    following = (first + timedelta(days=31)).replace(day=1)
    return first, following - timedelta(days=1)


_CellKey = tuple[str | None, str, str | None]


def public_figures(
    records: Iterable[TicketRecord], month: str, *, now: datetime | None = None
) -> PublicFigures:
    """Tickets received in ``month`` (``YYYY-MM``, WIB) per kabupaten/kota, category and agency.

    A cell of fewer than :data:`SMALL_CELL` tickets is left out, and no total is
    published: a total over all tickets minus the published cells would reveal
    the hidden ones (:func:`published_totals` adds up published cells only).
    ``done`` and ``on_time_share`` are about the cell's tickets, as of ``now``.
    """
    first, last = month_range(month)
    now = now or datetime.now(timezone.utc)
    # GROUP BY kabupaten/kota, category, agency, outcome.
    groups: Counter[tuple[_CellKey, Outcome]] = Counter()
    for record in records:
        if first <= record.received_day <= last:
            key = (record.kabupaten_kota, record.category, record.agency)
            groups[key, record.outcome(now)] += 1
    return public_cells(((*key, outcome, n) for (key, outcome), n in groups.items()), month)


def public_cells(
    groups: Iterable[tuple[str | None, str, str | None, Outcome, int]], month: str
) -> PublicFigures:
    """The public cells from counts grouped by kabupaten/kota, category, agency and outcome
    (here from records, in the database by SQL); a cell under ``SMALL_CELL`` is left out."""
    outcomes: dict[_CellKey, Counter[Outcome]] = {}
    for kabupaten_kota, category, agency, outcome, count in groups:
        outcomes.setdefault((kabupaten_kota, category, agency), Counter())[outcome] += count
    cells: list[PublicCell] = [
        {
            "kabupaten_kota": key[0],
            "category": key[1],
            "agency": key[2],
            "received": by_outcome.total(),
            "done": sum(n for outcome, n in by_outcome.items() if outcome.done),
            "on_time_share": on_time_share(by_outcome),
        }
        for key, by_outcome in outcomes.items()
        if by_outcome.total() >= SMALL_CELL
    ]
    cells.sort(key=lambda c: (c["kabupaten_kota"] or "", c["category"], c["agency"] or ""))
    return {"month": month, "cells": cells}


def published_totals(figures: PublicFigures) -> dict[str | None, int]:
    """Tickets per kabupaten/kota summed over the published cells only (never the true total)."""
    totals: Counter[str | None] = Counter()
    for cell in figures["cells"]:
        totals[cell["kabupaten_kota"]] += cell["received"]
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0] or "")))
