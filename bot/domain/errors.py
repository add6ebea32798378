"""Errors Tabik raises on purpose; each carries the data a caller needs to answer.

Actions catch these by class and answer the resident from ``domain.yml``; the
operator finds the data (never raw personal data) in the log.

Two families besides :class:`TabikError` (the system of record's own):

* :class:`UpstreamError` and subclasses: an outside system (vehicle tax, social
  aid, food prices) gave no usable answer. The adapters raise them; actions
  answer "layanan sedang gangguan" and the operator finds service, reason and
  HTTP status in the log.
* Lookup answers that are not failures: :class:`PlateNotFound`,
  :class:`CommodityNotFound`; and :class:`InvalidQuery` for input the caller
  should have validated first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.tickets import InvalidTicketNumber

if TYPE_CHECKING:
    from bot.domain.model import TicketStatus

__all__ = [
    "CircuitOpen",
    "CommodityNotFound",
    "HandoffReferenceUnavailable",
    "InvalidDraft",
    "InvalidNik",
    "InvalidQuery",
    "InvalidTicketNumber",
    "InvalidTransition",
    "NotConfigured",
    "NotificationNotFound",
    "PlateNotFound",
    "RatingNotPending",
    "RejectionNeedsReason",
    "TabikError",
    "TicketNotFound",
    "TicketNumberUnavailable",
    "TooManyLookups",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamRejected",
    "UpstreamUnavailable",
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
    """A ticket is only ever rejected (``ditolak``) with a reason note for the resident."""

    def __init__(self) -> None:
        super().__init__("a rejection (ditolak) needs a reason note")


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


# --- outside systems -------------------------------------------------------


class UpstreamError(Exception):
    """An outside system gave no usable answer."""

    def __init__(
        self,
        service: str,
        reason: str,
        *,
        status: int | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason
        self.status = status  # HTTP status when there was a response
        self.attempts = attempts  # how many requests were made before giving up


class UpstreamUnavailable(UpstreamError):
    """Timeout, connection failure, 5xx/429 after retries, or circuit open: try later."""

    def __init__(
        self,
        service: str,
        reason: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(service, reason, status=status, attempts=attempts)
        self.retry_after = retry_after  # seconds, when the upstream or the breaker says


class CircuitOpen(UpstreamUnavailable):
    """Not even tried: the upstream failed repeatedly and is resting."""

    def __init__(self, service: str, *, retry_after: float) -> None:
        super().__init__(service, "circuit open", attempts=0, retry_after=retry_after)


class UpstreamBadResponse(UpstreamError):
    """The upstream answered, but not in the documented contract (bad JSON, schema, 4xx)."""


class UpstreamRejected(UpstreamBadResponse):
    """The upstream refused our request (4xx such as 401/403/400): a configuration problem."""


class InvalidQuery(ValueError):
    """The caller passed a value that is not in canonical form (plate, NIK, commodity...)."""

    def __init__(self, field: str, reason: str) -> None:
        # The value itself is not kept: it may be a NIK.
        super().__init__(f"invalid {field}: {reason}")
        self.field = field
        self.reason = reason


class PlateNotFound(LookupError):
    def __init__(self, plate: str) -> None:
        super().__init__(f"no vehicle tax record for plate {plate}")
        self.plate = plate


class CommodityNotFound(LookupError):
    def __init__(self, commodity: str, kabupaten_kota: str | None = None) -> None:
        where = f" in {kabupaten_kota}" if kabupaten_kota else ""
        super().__init__(f"no price for commodity {commodity!r}{where}")
        self.commodity = commodity
        self.kabupaten_kota = kabupaten_kota


class NotAuthorised(TabikError):
    """A staff user asked for something their role does not allow (e.g. the audit log)."""

    def __init__(self, actor: str, action: str) -> None:
        super().__init__(f"{actor} may not {action}")
        self.actor = actor
        self.action = action


class RatingNotPending(TabikError):
    """A rating answer came for a ticket whose question expired, was answered, or never was."""

    def __init__(self, number: str | None, reason: str) -> None:
        super().__init__(f"no rating pending for {number or 'this chat'}: {reason}")
        self.number = number
        self.reason = reason
