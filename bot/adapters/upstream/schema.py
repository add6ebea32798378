"""The upstream payloads (docs/adapters.md) as pydantic models.

A reply outside the documented shape becomes :class:`UpstreamBadResponse`
naming the field ("vehicle_tax: field 'amount': value is not a valid integer")
rather than a TypeError in an action. Money is whole, non-negative rupiah: a
float or a boolean is refused, not rounded. Unknown fields are ignored, as the
contract says: an upstream adding a field is not an outage, and (for social aid)
personal data we did not ask for is never read into Tabik.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from pydantic import Extra, Field, StrictBool, StrictInt, StrictStr, ValidationError
from pydantic import validator as field_check

from bot.adapters.models import StrictModel
from bot.domain.errors import UpstreamBadResponse

__all__ = [
    "FoodPricePayload",
    "SocialAidPayload",
    "VehicleTaxPayload",
    "error_code",
    "parse_payload",
]

Payload = TypeVar("Payload", bound="UpstreamPayload")


class UpstreamPayload(StrictModel):
    """Strict types (no "12" for 12, no 1.5 for rupiah); unknown fields ignored."""

    class Config:
        extra = Extra.ignore

    @field_check("*", pre=True)
    def _dates_are_iso_text(cls, value: Any, field: Any) -> Any:
        # pydantic would read a number as a Unix timestamp; the contract says ISO text.
        if field.type_ in (date, datetime) and value is not None and not isinstance(value, str):
            raise ValueError("expected an ISO 8601 text")
        return value


def _rupiah(value: int) -> int:
    if value < 0:
        raise ValueError("expected non-negative integer rupiah")
    return value


class VehicleTaxPayload(UpstreamPayload):
    plate: StrictStr | None = None
    vehicle: StrictStr
    amount: StrictInt
    due_date: date
    fine: StrictInt
    total: StrictInt
    source: StrictStr | None = None

    _money = field_check("amount", "fine", "total", allow_reuse=True)(_rupiah)


class SocialAidPayload(UpstreamPayload):
    registered: StrictBool
    programmes: tuple[StrictStr, ...]
    checked_at: datetime | None = None
    source: StrictStr | None = None

    @field_check("checked_at")
    def _with_offset(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("expected an ISO 8601 date-time with offset")
        return value.astimezone(timezone.utc)


class FoodPricePayload(UpstreamPayload):
    commodity: StrictStr
    kabupaten_kota: StrictStr | None = None
    label: StrictStr | None = None
    price: StrictInt
    unit: StrictStr
    day: date = Field(alias="date")
    source: StrictStr | None = None

    _money = field_check("price", allow_reuse=True)(_rupiah)


def parse_payload(service: str, model: type[Payload], body: Any) -> Payload:
    """``body`` read as ``model``; UpstreamBadResponse naming the first wrong field."""
    if not isinstance(body, Mapping):
        raise UpstreamBadResponse(service, f"expected a JSON object, got {type(body).__name__}")
    try:
        return model.parse_obj(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UpstreamBadResponse(service, f"field {where!r}: {first['msg']}") from None


def error_code(body: Any) -> str | None:
    """``error.code`` of the documented error body ``{"error": {"code": ..., "message": ...}}``."""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("code"), str):
            return str(error["code"])
    return None
