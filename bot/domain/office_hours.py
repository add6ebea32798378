"""Office hours: when Lampung's service offices (and so Tabik's officers) are open.

The one source of the hours is ``bot/data/knowledge/offices.yml``; its rows read
as residents write them (``Senin–Kamis``, ``08.00–15.00 WIB``) and are parsed
here into weekdays and times, so the same row is both shown and checked.
Public holidays and Ramadan hours are not known here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["DAY_NAMES", "WIB", "OfficeHours", "OfficeSchedule", "parse_days", "parse_hours"]

# Lampung is on Western Indonesian Time (UTC+7, no daylight saving).
WIB = ZoneInfo("Asia/Jakarta")

# Monday is 0, as in datetime.weekday().
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
_RANGE = re.compile(r"\s*[–\-]\s*|\s+s\.?d\.?\s+|\s+sampai\s+")
_HOURS = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*[–\-]\s*(\d{1,2})[.:](\d{2})(?:\s*WIB)?\s*$")


def _day(name: str) -> int:
    key = name.strip().lower().replace("'", "")
    if key not in DAY_NAMES:
        raise ValueError(f"unknown day {name!r}; expected one of {', '.join(DAY_NAMES)}")
    return DAY_NAMES.index(key)


def parse_days(text: str) -> frozenset[int]:
    """Weekdays of ``Senin–Kamis``, ``Jumat`` or ``Senin, Rabu`` (ValueError otherwise)."""
    days: set[int] = set()
    for part in text.split(","):
        ends = _RANGE.split(part.strip())
        if len(ends) == 1:
            days.add(_day(ends[0]))
        elif len(ends) == 2:
            first, last = _day(ends[0]), _day(ends[1])
            if last < first:
                raise ValueError(f"day range {part.strip()!r} runs backwards")
            days.update(range(first, last + 1))
        else:
            raise ValueError(f"cannot read days {part.strip()!r}")
    return frozenset(days)


def parse_hours(text: str) -> tuple[time, time]:
    """Opening and closing time of ``08.00–15.00 WIB`` (ValueError otherwise)."""
    match = _HOURS.match(text)
    if match is None:
        raise ValueError(f"cannot read hours {text!r}; write them like 08.00–15.00 WIB")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    opens, closes = time(h1, m1), time(h2, m2)
    if closes <= opens:
        raise ValueError(f"hours {text!r} close before they open")
    return opens, closes


@dataclass(frozen=True)
class OfficeHours:
    """One row of a schedule, as shown (``days``, ``hours``) and as checked."""

    days: str
    hours: str
    weekdays: frozenset[int]
    opens: time
    closes: time

    @classmethod
    def parse(cls, days: str, hours: str) -> OfficeHours:
        opens, closes = parse_hours(hours)
        return cls(days=days, hours=hours, weekdays=parse_days(days), opens=opens, closes=closes)

    def covers(self, local: datetime) -> bool:
        return local.weekday() in self.weekdays and self.opens <= local.time() < self.closes


@dataclass(frozen=True)
class OfficeSchedule:
    rows: tuple[OfficeHours, ...]

    @classmethod
    def parse(cls, lines: Iterable[tuple[str, str]]) -> OfficeSchedule:
        """From ``(days, hours)`` text pairs as the knowledge base holds them."""
        rows = tuple(OfficeHours.parse(days, hours) for days, hours in lines)
        if not rows:
            raise ValueError("an office schedule needs at least one row")
        return cls(rows)

    def _spans(self, weekday: int) -> list[tuple[time, time]]:
        return sorted((row.opens, row.closes) for row in self.rows if weekday in row.weekdays)

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (timezone-aware) falls within one of the rows, in WIB."""
        local = at.astimezone(WIB)
        return any(row.covers(local) for row in self.rows)

    def describe(self) -> str:
        """``Senin–Kamis 08.00–15.00 WIB, Jumat 08.00–11.30 WIB``: the rows joined for display."""
        return ", ".join(f"{row.days} {row.hours}" for row in self.rows)

    def next_opening(self, at: datetime) -> datetime:
        """The next moment an office opens (``at`` itself when one is open then)."""
        if self.is_open(at):
            return at
        local = at.astimezone(WIB)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for opens, _closes in self._spans(day.weekday()):
                opening = datetime.combine(day, opens, tzinfo=WIB)
                if opening > local:
                    return opening
        raise ValueError("the schedule never opens")

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Office time between two moments (for first-response deadlines)."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.astimezone(WIB).date()
        last = end.astimezone(WIB).date()
        while day <= last:
            for opens, closes in self._spans(day.weekday()):
                overlap = (
                    min(datetime.combine(day, closes, tzinfo=WIB), end)
                    - max(datetime.combine(day, opens, tzinfo=WIB), start)
                ).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return total
