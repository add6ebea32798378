"""The texts Tabik sends by itself when a ticket's status changes (``bot/data/notifications.yml``).

Rendering only: a status change queues the rendered notice in the outbox in its own
unit of work (``bot.services.notifications.StatusNotices``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.domain.errors import with_message
from bot.domain.model import TicketStatus

NOTIFICATIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "notifications.yml"
PLACEHOLDERS = frozenset({"number", "status", "note"})
# WhatsApp's bold markers hug a word or phrase (*diproses*); "2 * 3" is no markup.
_BOLD = re.compile(r"\*(\S(?:[^*\n]*\S)?)\*")
# Meta refuses an empty template parameter; a dash says "no note".
NO_NOTE = "-"


@with_message("notifications.yml: {key}: {problem}")
class NotificationTextsInvalid(ValueError):
    """notifications.yml lacks a status word's template or uses an unknown placeholder."""

    key: str
    problem: str


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _checked(key: str, value: Any, required: frozenset[str] = frozenset()) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NotificationTextsInvalid(key, "missing or empty")
    used = _placeholders(value)
    if used - PLACEHOLDERS:
        raise NotificationTextsInvalid(key, f"unknown placeholders {sorted(used - PLACEHOLDERS)}")
    if required - used:
        raise NotificationTextsInvalid(key, f"needs {sorted(required - used)}")
    return value.strip()


def plain(text: str) -> str:
    """The text without WhatsApp's ``*bold*`` markers (Telegram sends plain text)."""
    return _BOLD.sub(r"\1", text)


@dataclass(frozen=True)
class NotificationTexts:
    status_changed: MappingProxyType[TicketStatus, str]
    note_line: str
    details_hint: str

    @classmethod
    def load(cls, path: Path | None = None) -> NotificationTexts:
        data = yaml.safe_load((path or NOTIFICATIONS_FILE).read_text(encoding="utf-8")) or {}
        templates = data.get("status_changed") or {}
        status_changed = {}
        for status in TicketStatus:
            # A rejection is always told with its reason.
            required = frozenset({"note"}) if status is TicketStatus.DITOLAK else frozenset()
            status_changed[status] = _checked(
                f"status_changed.{status.value}", templates.get(status.value), required
            )
        return cls(
            status_changed=MappingProxyType(status_changed),
            note_line=_checked("note_line", data.get("note_line"), frozenset({"note"})),
            details_hint=_checked("details_hint", data.get("details_hint")),
        )

    def render(
        self,
        *,
        number: str,
        status: TicketStatus | str,
        note: str | None = None,
        bold: bool = True,
    ) -> str:
        """The message for a ticket's new status; ``bold=False`` for channels without markup."""
        status = TicketStatus(status)
        note = (note or "").strip() or None
        template = self.status_changed[status]
        values = {"number": number, "status": status.value, "note": note or NO_NOTE}
        lines = [template.format_map(values)]
        if note is not None and "note" not in _placeholders(template):
            lines.append(self.note_line.format_map(values))
        lines.append(self.details_hint.format_map(values))
        text = "\n".join(lines)
        return text if bold else plain(text)


def template_params(*, number: str, status: TicketStatus | str, note: str | None) -> list[str]:
    """Body parameters of the approved WhatsApp template: number, status word, note or "-"."""
    return [number, TicketStatus(status).value, (note or "").strip() or NO_NOTE]


@lru_cache(maxsize=1)
def notification_texts() -> NotificationTexts:
    """The texts from ``bot/data/notifications.yml``, loaded once."""
    return NotificationTexts.load()


__all__ = [
    "NO_NOTE",
    "NotificationTexts",
    "NotificationTextsInvalid",
    "notification_texts",
    "plain",
    "template_params",
]
