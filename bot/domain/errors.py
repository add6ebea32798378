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

Most errors are declared with :func:`with_message`: their data as annotated
fields, their message as a template of those fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, fields
from typing import TYPE_CHECKING, TypeVar

from typing_extensions import dataclass_transform

from bot.domain.tickets import InvalidTicketNumber

if TYPE_CHECKING:
    from bot.domain.model import TicketStatus

__all__ = [
    "CircuitOpen",
    "CommodityNotFound",
    "CompletionNeedsNote",
    "DailyLimitReached",
    "HandoffLimitReached",
    "HandoffReferenceUnavailable",
    "InvalidDraft",
    "InvalidNik",
    "InvalidQuery",
    "InvalidTicketNumber",
    "InvalidTransition",
    "NotConfigured",
    "PlateNotFound",
    "RatingNotPending",
    "RejectionNeedsReason",
    "ResidentNotFound",
    "TabikError",
    "TicketNotFound",
    "TicketNumberUnavailable",
    "TooManyLookups",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamRejected",
    "UpstreamUnavailable",
    "with_message",
]

_E = TypeVar("_E", bound=BaseException)


@dataclass_transform(eq_default=False)
def with_message(template: str) -> Callable[[type[_E]], type[_E]]:
    """Make an exception class a dataclass of its annotated fields, with this message.

    The fields are the constructor's parameters, in order (``_: KW_ONLY`` before
    keyword-only ones), and stay attributes. ``template`` is formatted with them
    and properties (``str.format``: ``{retry_after:.0f}``, ``{value!r}``,
    ``{current.value}``); ``str(error)`` and ``error.args`` are that message
    alone, and errors compare by identity, as any exception does. They pickle
    by their fields, so one raised in a worker process arrives whole.
    """

    def declare(cls: type[_E]) -> type[_E]:
        def __post_init__(self: BaseException) -> None:
            BaseException.__init__(self, template.format_map(_Attributes(self)))

        def __reduce__(self: BaseException) -> tuple[object, ...]:
            parts = {f.name: getattr(self, f.name) for f in fields(self) if f.init}  # type: ignore[arg-type]
            return _rebuild, (type(self), parts)

        cls.__post_init__ = __post_init__  # type: ignore[attr-defined]
        cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
        return dataclass(eq=False, repr=False)(cls)

    return declare


def _rebuild(cls: type[BaseException], parts: dict[str, object]) -> BaseException:
    return cls(**parts)


class _Attributes:
    """What a message template's ``{name}`` reads: an attribute of the error."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __getitem__(self, name: str) -> object:
        return getattr(self.error, name)


class TabikError(Exception):
    """Base of every error Tabik's domain raises on purpose."""


@with_message("no ticket {number}")
class TicketNotFound(TabikError):
    number: str


@with_message("too many lookups of unknown tickets; retry after {retry_after:.0f}s")
class TooManyLookups(TabikError):
    """Too many lookups of unknown ticket numbers from one chat account (anti-enumeration)."""

    retry_after: float


@with_message("daily limit of {limit} {what} per chat account reached")
class DailyLimitReached(TabikError):
    """One chat account asked for more ``what`` (``complaints``, …) today than ``limit``."""

    what: str
    limit: int


@with_message("no resident known by this {by}")
class ResidentNotFound(TabikError):
    """An erasure named a phone or NIK (``by``) no record holds; the value is not kept."""

    by: str  # "phone" or "nik"


@with_message("invalid NIK: {reason}")
class InvalidNik(TabikError, ValueError):
    """``reason`` is one of ``not_digits``, ``length``, ``region``, ``birth_date``, ``serial``.

    The message never contains the NIK itself (it ends up in logs); ``text`` has it.
    """

    REASONS = ("not_digits", "length", "region", "birth_date", "serial")

    reason: str
    text: str


@with_message("cannot change status from {current.value} to {requested.value}")
class InvalidTransition(TabikError):
    current: TicketStatus
    requested: TicketStatus


@with_message("a rejection (ditolak) needs a reason note")
class RejectionNeedsReason(TabikError):
    """A ticket is only ever rejected (``ditolak``) with a reason note for the resident."""


@with_message("finishing a complaint (selesai) needs a note of what was done")
class CompletionNeedsNote(TabikError):
    """Staff finish a complaint (``selesai``) only with a note of what was done."""


@with_message("no free ticket number after {attempts} attempts")
class TicketNumberUnavailable(TabikError):
    """Every generated ticket number collided; the retries are bounded, not endless."""

    attempts: int


@with_message("{limit} handoffs already asked for today by this chat account")
class HandoffLimitReached(TabikError):
    """A chat account asked for an officer more often today than a day allows."""

    limit: int


@with_message("no free handoff reference after {attempts} attempts")
class HandoffReferenceUnavailable(TabikError):
    attempts: int


@with_message("invalid {field}: {value!r}")
class InvalidDraft(TabikError, ValueError):
    """A draft reached the service with a value the form should not have let through.

    ``value`` is already masked where it is personal data.
    """

    field: str
    value: str


@with_message("{part} is not configured")
class NotConfigured(TabikError):
    """A part of Tabik was not set up in this process (e.g. outside-system providers)."""

    part: str


# --- outside systems -------------------------------------------------------


@with_message("{service}: {reason}")
class UpstreamError(Exception):
    """An outside system gave no usable answer."""

    service: str
    reason: str
    _: KW_ONLY
    status: int | None = None  # HTTP status when there was a response
    attempts: int = 1  # how many requests were made before giving up


@with_message("{service}: {reason}")
class UpstreamUnavailable(UpstreamError):
    """Timeout, connection failure, 5xx/429 after retries, or circuit open: try later."""

    _: KW_ONLY
    retry_after: float | None = None  # seconds, when the upstream or the breaker says


class CircuitOpen(UpstreamUnavailable):
    """Not even tried: the upstream failed repeatedly and is resting."""

    def __init__(self, service: str, *, retry_after: float) -> None:
        super().__init__(service, "circuit open", attempts=0, retry_after=retry_after)


class UpstreamBadResponse(UpstreamError):
    """The upstream answered, but not in the documented contract (bad JSON, schema, 4xx)."""


class UpstreamRejected(UpstreamBadResponse):
    """The upstream refused our request (4xx such as 401/403/400): a configuration problem."""


@with_message("invalid {field}: {reason}")
class InvalidQuery(ValueError):
    """The caller passed a value that is not in canonical form (plate, NIK, commodity...).

    The value itself is not kept: it may be a NIK.
    """

    field: str
    reason: str


@with_message("no vehicle tax record for plate {plate}")
class PlateNotFound(LookupError):
    plate: str


@with_message("no price for commodity {commodity!r}{where}")
class CommodityNotFound(LookupError):
    commodity: str
    kabupaten_kota: str | None = None

    @property
    def where(self) -> str:
        return f" in {self.kabupaten_kota}" if self.kabupaten_kota else ""


@with_message("{actor} may not {action}")
class NotAuthorised(TabikError):
    """A staff user asked for something their role does not allow (e.g. the audit log)."""

    actor: str
    action: str


@with_message("no rating pending for {chat}: {reason}")
class RatingNotPending(TabikError):
    """A rating answer came for a ticket whose question expired, was answered, or never was."""

    number: str | None
    reason: str

    @property
    def chat(self) -> str:
        return self.number or "this chat"
