"""Checking upstream JSON against the documented contract (docs/adapters.md).

Each helper raises :class:`UpstreamBadResponse` naming the field, so a
changed upstream shows up in the log as "vehicle_tax: field 'amount':
expected integer rupiah" rather than a TypeError in an action.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from bot.domain.errors import UpstreamBadResponse


class Body:
    def __init__(self, service: str, body: Any) -> None:
        if not isinstance(body, Mapping):
            raise UpstreamBadResponse(service, f"expected a JSON object, got {type(body).__name__}")
        self.service = service
        self.data = body

    def _bad(self, key: str, expected: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(self.service, f"field {key!r}: expected {expected}")

    def _get(self, key: str, expected: str) -> Any:
        if key not in self.data or self.data[key] is None:
            raise self._bad(key, expected)
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key, "text")
        if not isinstance(value, str) or not value.strip():
            raise self._bad(key, "non-empty text")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        if self.data.get(key) is None:
            return None
        return self.text(key)

    def rupiah(self, key: str) -> int:
        value = self._get(key, "integer rupiah")
        # bool is an int in Python and a float would smuggle in fractions: both refused.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._bad(key, "non-negative integer rupiah")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, "true or false")
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def day(self, key: str) -> date:
        value = self._get(key, "a date YYYY-MM-DD")
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _raise()
        except ValueError:
            raise self._bad(key, "a date YYYY-MM-DD") from None

    def optional_moment(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            # Python 3.10's fromisoformat does not read a trailing "Z".
            text = (
                value[:-1] + "+00:00" if isinstance(value, str) and value.endswith("Z") else value
            )
            moment = datetime.fromisoformat(text) if isinstance(text, str) else _raise()
        except ValueError:
            raise self._bad(key, "an ISO 8601 date-time with offset") from None
        if moment.tzinfo is None:
            raise self._bad(key, "an ISO 8601 date-time with offset")
        return moment.astimezone(timezone.utc)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key, "a list of texts")
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self._bad(key, "a list of non-empty texts")
        return tuple(v.strip() for v in value)


def _raise() -> Any:
    raise ValueError("wrong JSON type")


def error_code(body: Any) -> str | None:
    """``error.code`` of the documented error body ``{"error": {"code": ..., "message": ...}}``."""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("code"), str):
            return str(error["code"])
    return None
