"""Errors of the outside-system adapters; each carries the data a caller needs.

Two families:

* :class:`UpstreamError` and subclasses: the outside system could not give a
  usable answer (down, slow, broken). Actions answer "layanan sedang
  gangguan"; the operator finds service, reason and HTTP status in the log.
* Lookup results that are answers, not failures: :class:`PlateNotFound`,
  :class:`CommodityNotFound`; and :class:`InvalidQuery` for input the caller
  should have validated first.
"""

from __future__ import annotations

__all__ = [
    "CircuitOpen",
    "CommodityNotFound",
    "InvalidQuery",
    "PlateNotFound",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamRejected",
    "UpstreamUnavailable",
]


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
