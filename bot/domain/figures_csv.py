"""The figures as CSV: one long ``figure,key,value`` table for staff, one row per published
cell for the public (docs/figures.md). Text a spreadsheet would run as a formula is
quoted with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.domain.figures import PublicFigures, StaffFigures

__all__ = ["figures_csv"]

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _staff_rows(figures: StaffFigures) -> Iterator[tuple[object, ...]]:
    yield ("figure", "key", "value")
    yield ("received", "", figures["received"])
    for status, count in figures["open_by_status"].items():
        yield ("open_by_status", status, count)
    yield ("on_time_share", "", figures["on_time_share"])
    yield ("median_days_to_done", "", figures["median_days_to_done"])
    yield ("average_rating", "", figures["average_rating"])
    for week in figures["by_week"]:
        yield ("by_week.received", week["week"], week["received"])
    for week in figures["by_week"]:
        yield ("by_week.done", week["week"], week["done"])
    for category, count in figures["by_category"].items():
        yield ("by_category", category, count)


def _public_rows(figures: PublicFigures) -> Iterator[tuple[object, ...]]:
    yield ("month", "kabupaten_kota", "category", "agency", "received", "done", "on_time_share")
    for c in figures["cells"]:
        yield (
            figures["month"],
            *(c["kabupaten_kota"], c["category"], c["agency"]),
            *(c["received"], c["done"], c["on_time_share"]),
        )


def figures_csv(figures: StaffFigures | PublicFigures) -> str:
    """The figures as one CSV table (docs/figures.md, "CSV").

    Staff figures: one long table ``figure,key,value``, a row per number.
    Public figures: a row per published cell, the month in the first column.
    An empty value is a null; text starting like a formula gets a leading ``'``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    rows = _public_rows(figures) if "cells" in figures else _staff_rows(figures)  # type: ignore[arg-type]
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
