"""Money and dates as residents read them."""

from __future__ import annotations

from datetime import date, datetime, timezone

from actions.formatting import display_date, rupiah


def test_rupiah_uses_dots_and_no_decimals():
    assert rupiah(1234500) == "Rp1.234.500"
    assert rupiah(0) == "Rp0"


def test_dates_are_shown_in_wib():
    assert display_date(date(2027, 1, 5)) == "05/01/2027"
    assert (
        display_date(datetime(2026, 11, 28, 17, 30, tzinfo=timezone.utc)) == "29/11/2026 00.30 WIB"
    )
