"""Service levels: office hours as data, working time, and a ticket's ``ok``/``late``/``overdue``.

A ticket must get its first response (any change away from ``diterima``) within a
number of working hours, and be finished (``selesai`` or ``ditolak``) within a
number of calendar days; both are configurable per complaint category
(``bot/data/sla.yml``). Working time is counted on the offices' schedule
(:class:`bot.domain.office_hours.OfficeSchedule`, the one reading of office hours).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.office_hours import OfficeSchedule

__all__ = ["SlaRule", "SlaRules", "SlaState", "sla_state"]


class SlaState(str, enum.Enum):
    OK = "ok"
    LATE = "late"
    OVERDUE = "overdue"


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
