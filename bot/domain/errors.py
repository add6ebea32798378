"""Errors the system of record raises; each carries the data a caller needs to answer.

Actions catch these by class and answer the resident from ``domain.yml``; the
operator finds the data (never raw personal data) in the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.tickets import InvalidTicketNumber

if TYPE_CHECKING:
    from bot.domain.model import TicketStatus

__all__ = [
    "HandoffReferenceUnavailable",
    "InvalidDraft",
    "InvalidNik",
    "InvalidTicketNumber",
    "InvalidTransition",
    "NotAuthorised",
    "NotConfigured",
    "NotificationNotFound",
    "RejectionNeedsReason",
    "TabikError",
    "TicketNotFound",
    "TicketNumberUnavailable",
    "TooManyLookups",
]


class TabikError(Exception):
    """Base of every error Tabik's domain raises on purpose."""


class TicketNotFound(TabikError):
    def __init__(self, number: str) -> None:
        super().__init__(f"no ticket {number}")
        self.number = number


class TooManyLookups(TabikError):
    """Too many lookups of unknown ticket numbers from one chat account (anti-enumeration)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many lookups of unknown tickets; retry after {retry_after:.0f}s")
        self.retry_after = retry_after


class InvalidNik(TabikError, ValueError):
    """``reason`` is one of ``not_digits``, ``length``, ``region``, ``birth_date``, ``serial``.

    The message never contains the NIK itself (it ends up in logs); ``text`` has it.
    """

    REASONS = ("not_digits", "length", "region", "birth_date", "serial")

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"invalid NIK: {reason}")
        self.reason = reason
        self.text = text


class InvalidTransition(TabikError):
    def __init__(self, current: TicketStatus, requested: TicketStatus) -> None:
        super().__init__(f"cannot change status from {current.value} to {requested.value}")
        self.current = current
        self.requested = requested


class RejectionNeedsReason(TabikError):
    """A ticket is only ever rejected (``ditolak``) with a reason note (CONTRACT §5)."""

    def __init__(self) -> None:
        super().__init__("a rejection (ditolak) needs a reason note")


class NotAuthorised(TabikError):
    def __init__(self, actor: str, action: str) -> None:
        super().__init__(f"{actor} may not {action}")
        self.actor = actor
        self.action = action


class TicketNumberUnavailable(TabikError):
    """Every generated ticket number collided; the retries are bounded, not endless."""

    def __init__(self, attempts: int) -> None:
        super().__init__(f"no free ticket number after {attempts} attempts")
        self.attempts = attempts


class HandoffReferenceUnavailable(TabikError):
    def __init__(self, attempts: int) -> None:
        super().__init__(f"no free handoff reference after {attempts} attempts")
        self.attempts = attempts


class InvalidDraft(TabikError, ValueError):
    """A draft reached the service with a value the form should not have let through.

    ``value`` is already masked where it is personal data.
    """

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"invalid {field}: {value!r}")
        self.field = field
        self.value = value


class NotConfigured(TabikError):
    """A part of Tabik was not set up in this process (e.g. outside-system providers)."""

    def __init__(self, part: str) -> None:
        super().__init__(f"{part} is not configured")
        self.part = part


class NotificationNotFound(TabikError):
    """No outbox row with this id (the notifier was handed a stale or wrong id)."""

    def __init__(self, notification_id: int) -> None:
        super().__init__(f"no notification {notification_id}")
        self.notification_id = notification_id
