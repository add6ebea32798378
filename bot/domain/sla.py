"""Service levels: office hours as data, working time, and a ticket's ``ok``/``late``/``overdue``.

A ticket must get its first response (any change away from ``diterima``) within a
number of working hours, and be finished (``selesai`` or ``ditolak``) within a
number of calendar days; both are configurable per complaint category
(``bot/data/sla.yml``). Office hours come from the knowledge base's schedules
(``Senin–Kamis`` / ``08.00–15.00 WIB``), read here into times.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "WIB",
    "OfficeSchedule",
    "SlaRule",
    "SlaRules",
    "SlaState",
    "sla_state",
]

WIB = ZoneInfo("Asia/Jakarta")
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
_RANGE = re.compile(r"(\d{1,2})[.:](\d{2})\s*[–-]\s*(\d{1,2})[.:](\d{2})")


class SlaState(str, enum.Enum):
    OK = "ok"
    LATE = "late"
    OVERDUE = "overdue"


def _day_index(word: str) -> int:
    name = word.strip().casefold().replace("'", "")
    if name not in DAY_NAMES:
        raise ValueError(f"unknown day name {word!r}")
    return DAY_NAMES.index(name)


def _days(text: str) -> list[int]:
    """``Senin–Kamis`` → [0, 1, 2, 3]; ``Jumat`` → [4]; ``Senin, Rabu`` → [0, 2]."""
    days: list[int] = []
    for part in re.split(r"[,/]|\bdan\b", text):
        if not part.strip():
            continue
        ends = re.split(r"\s*[–-]\s*", part.strip())
        first, last = _day_index(ends[0]), _day_index(ends[-1])
        days.extend(range(first, last + 1))
    return days


@dataclass(frozen=True)
class OfficeSchedule:
    """Opening hours per weekday (0 = Monday), in WIB; a day not listed is closed."""

    hours: Mapping[int, tuple[time, time]] = field(default_factory=dict)

    @classmethod
    def parse(cls, lines: Iterable[tuple[str, str]]) -> OfficeSchedule:
        """From ``(days, hours)`` text pairs as the knowledge base holds them."""
        hours: dict[int, tuple[time, time]] = {}
        for days_text, hours_text in lines:
            match = _RANGE.search(hours_text)
            if match is None:
                raise ValueError(f"no opening hours in {hours_text!r}")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            for day in _days(days_text):
                hours[day] = (time(h1, m1), time(h2, m2))
        if not hours:
            raise ValueError("an office schedule needs at least one day")
        return cls(hours)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(WIB)
        span = self.hours.get(local.weekday())
        return span is not None and span[0] <= local.time() < span[1]

    def next_opening(self, at: datetime) -> datetime:
        """The next moment the office opens (``at`` itself when it is open then)."""
        if self.is_open(at):
            return at
        local = at.astimezone(WIB)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            span = self.hours.get(day.weekday())
            if span is None:
                continue
            opening = datetime.combine(day, span[0], tzinfo=WIB)
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
            span = self.hours.get(day.weekday())
            if span is not None:
                opens = datetime.combine(day, span[0], tzinfo=WIB)
                closes = datetime.combine(day, span[1], tzinfo=WIB)
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                total += max(0.0, overlap)
            day += timedelta(days=1)
        return total


@dataclass(frozen=True)
class SlaRule:
    first_response_hours: float = 6.0
    done_days: float = 6.0


@dataclass(frozen=True)
class SlaRules:
    default: SlaRule = SlaRule()
    by_category: Mapping[str, SlaRule] = field(default_factory=dict)

    def for_category(self, category: str | None) -> SlaRule:
        return self.by_category.get(category or "", self.default)


def sla_state(
    *,
    status: str,
    created_at: datetime,
    first_response_at: datetime | None,
    now: datetime,
    rule: SlaRule,
    schedule: OfficeSchedule,
) -> SlaState:
    """``overdue`` once open past the done deadline; ``late`` when the first response
    came (or is still missing) after the working-hours deadline; else ``ok``."""
    if status in ("selesai", "ditolak"):
        return SlaState.OK
    if now - created_at > timedelta(days=rule.done_days):
        return SlaState.OVERDUE
    answered = first_response_at or now
    if schedule.working_seconds(created_at, answered) > rule.first_response_hours * 3600:
        return SlaState.LATE
    return SlaState.OK
