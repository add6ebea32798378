"""Service levels (`bot/data/sla.yml`) and office schedules from the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.domain.office_hours import OfficeSchedule
from bot.domain.sla import SlaRule, SlaRules
from bot.domain.vocabulary import values as vocabulary_values

SLA_FILE = Path(__file__).resolve().parent.parent / "data" / "sla.yml"
# The province's own desk has no office of its own in the knowledge base; the
# capital's civil-registry office keeps the province's working hours.
PROVINCE_OFFICE_REGION = "Bandar Lampung"


def _rule(raw: Any, where: str) -> SlaRule:
    if not isinstance(raw, dict) or set(raw) - {"first_response_hours", "done_days"}:
        raise ValueError(f"{SLA_FILE.name}: {where} needs first_response_hours and done_days")
    return SlaRule(
        first_response_hours=float(raw.get("first_response_hours", 6)),
        done_days=float(raw.get("done_days", 6)),
    )


def load_sla_rules(path: Path = SLA_FILE) -> SlaRules:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = set(vocabulary_values("complaint_category"))
    categories = data.get("categories") or {}
    unknown = set(categories) - known
    if unknown:
        raise ValueError(f"{path.name}: unknown complaint categories {sorted(unknown)}")
    return SlaRules(
        default=_rule(data.get("default") or {}, "default"),
        by_category={name: _rule(raw, name) for name, raw in categories.items()},
    )


def office_schedule(knowledge: Any, kabupaten_kota: str | None = None) -> OfficeSchedule:
    """The working hours of the region's civil-registry office (the province's by default)."""
    offices = knowledge.offices(kabupaten_kota or PROVINCE_OFFICE_REGION, "disdukcapil")
    return OfficeSchedule(tuple(offices[0].hours))


def office_hours_text(knowledge: Any, kabupaten_kota: str | None = None) -> str:
    """The same hours as words for residents: ``Senin–Kamis 08.00–15.00 WIB; Jumat …``."""
    offices = knowledge.offices(kabupaten_kota or PROVINCE_OFFICE_REGION, "disdukcapil")
    return "; ".join(f"{h.days} {h.hours}" for h in offices[0].hours)
