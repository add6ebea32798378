"""Numbers, dates and response fragments formatted for residents."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from rasa_sdk.types import DomainDict

from bot.domain.office_hours import WIB


def rupiah(amount: int) -> str:
    """``Rp1.234.500``: Indonesian thousands separators, no decimals."""
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def display_date(value: date | datetime | str | None) -> str:
    """``28/11/2026``, or ``28/11/2026 14.30 WIB`` for a moment in time."""
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        local = aware.astimezone(WIB)
        return local.strftime("%d/%m/%Y %H.%M WIB")
    return value.strftime("%d/%m/%Y")


def response_text(domain: DomainDict, name: str, **values: Any) -> str:
    """The text of a response in ``domain.yml`` with ``{placeholders}`` filled.

    For small fragments (a location line, a photo line) that are combined into
    one message; whole messages are uttered with ``response=`` instead.
    """
    variations = (domain.get("responses") or {}).get(name) or []
    if not variations:
        raise KeyError(f"response {name} is missing from the domain")
    text = str(variations[0].get("text", ""))
    return text.format(**values) if values else text
