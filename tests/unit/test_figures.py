"""Figures for staff and the public: what each number counts, small cells, weeks, CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.domain.figures import (
    SMALL_CELL,
    InvalidTicketRecord,
    Outcome,
    TicketRecord,
    iso_week,
    month_range,
    public_figures,
    published_totals,
    staff_figures,
)
from bot.domain.figures_csv import figures_csv
from bot.domain.model import TicketStatus
from bot.domain.staff import Area
from tests.auxil.figures import synthetic_records

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=WIB)
DONE = (TicketStatus.SELESAI, TicketStatus.DITOLAK)


def record(
    received: datetime,
    *,
    status: TicketStatus = TicketStatus.DITERIMA,
    done_after: timedelta | None = None,
    due_after: timedelta = timedelta(days=6),
    category: str = "jalan",
    kabupaten_kota: str | None = "Metro",
    agency: str | None = "Dinas PUPR",
    rating: int | None = None,
    desa: str | None = None,
) -> TicketRecord:
    if done_after is not None and status not in DONE:
        status = TicketStatus.SELESAI
    return TicketRecord(
        received_at=received,
        status=status,
        category=category,
        kabupaten_kota=kabupaten_kota,
        agency=agency,
        desa=desa,
        due_at=received + due_after,
        done_at=None if done_after is None else received + done_after,
        rating=rating,
    )


def at(day: int, hour: int = 10, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=WIB)


def figures(records, since=date(2026, 11, 30), until=date(2026, 12, 6), **scope):
    return staff_figures(records, since=since, until=until, now=NOW, **scope)


# --- the record carries nothing personal and nothing impossible ---------------------------


def test_a_record_has_no_field_for_personal_data():
    names = {f.name for f in dataclasses.fields(TicketRecord)}
    assert not names & {"name", "full_name", "nik", "phone", "description", "resident_id"}
    with pytest.raises(TypeError):
        TicketRecord(  # type: ignore[call-arg]
            received_at=at(1),
            status=TicketStatus.DITERIMA,
            category="jalan",
            kabupaten_kota="Metro",
            due_at=at(7),
            nik="1871012345678901",
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": TicketStatus.SELESAI}, "done_at"),  # done without a time
        ({"done_at": at(2)}, "done_at"),  # a time while still open
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"received_at": datetime(2026, 12, 1, 10)}, "received_at"),
        ({"due_at": datetime(2026, 12, 7, 10)}, "due_at"),
        ({"status": "closed"}, "status"),
    ],
)
def test_a_record_no_ticket_could_have_is_refused(changes, field):
    fields = {
        "received_at": at(1),
        "status": TicketStatus.DITERIMA,
        "category": "jalan",
        "kabupaten_kota": "Metro",
        "due_at": at(7),
    }
    with pytest.raises(InvalidTicketRecord) as raised:
        TicketRecord(**(fields | changes))
    assert raised.value.field == field


def test_a_status_word_read_from_a_row_is_the_status():
    done = TicketRecord(
        received_at=at(1),
        status="selesai",  # type: ignore[arg-type]
        category="jalan",
        kabupaten_kota="Metro",
        due_at=at(7),
        done_at=at(2),
    )
    assert done.status is TicketStatus.SELESAI
    assert done.outcome(NOW) is Outcome.ON_TIME


# --- staff figures ----------------------------------------------------------------------


def test_no_tickets_give_zeros_and_nulls_with_every_week_listed():
    result = figures([])
    assert result == {
        "received": 0,
        "open_by_status": {"diterima": 0, "diverifikasi": 0, "diteruskan": 0, "diproses": 0},
        "on_time_share": None,
        "median_days_to_done": None,
        "average_rating": None,
        "by_week": [{"week": "2026-W49", "received": 0, "done": 0}],
        "by_category": {},
    }


def test_staff_figures_count_the_tickets_received_in_the_range():
    records = [
        record(at(1), status=TicketStatus.DIPROSES, category="sampah"),
        record(at(1), status=TicketStatus.DIPROSES),
        record(at(2), done_after=timedelta(days=2), rating=4),
        record(at(3), done_after=timedelta(days=4), rating=5, status=TicketStatus.DITOLAK),
        record(at(3), done_after=timedelta(days=9)),  # done, late
        record(at(29, month=11)),  # received before the range: not counted
    ]
    result = figures(records)
    assert result["received"] == 5
    assert result["open_by_status"] == {
        "diterima": 0,
        "diverifikasi": 0,
        "diteruskan": 0,
        "diproses": 2,
    }
    assert result["median_days_to_done"] == 4.0
    assert result["average_rating"] == 4.5
    assert result["by_category"] == {"jalan": 4, "sampah": 1}
    assert list(result["by_category"]) == ["jalan", "sampah"]  # most first


@pytest.mark.parametrize(
    ("done_after", "due_after", "received", "share"),
    [
        (timedelta(days=5), timedelta(days=6), at(1), 1.0),
        (timedelta(days=6), timedelta(days=6), at(1), 1.0),  # met to the second
        (timedelta(days=6, seconds=1), timedelta(days=6), at(1), 0.0),
        (None, timedelta(days=6), at(1), 0.0),  # open past the deadline: not on time
        (None, timedelta(days=6), at(6), None),  # open before the deadline: not counted yet
    ],
)
def test_on_time_means_done_by_the_deadline(done_after, due_after, received, share):
    one = record(received, done_after=done_after, due_after=due_after)
    assert figures([one])["on_time_share"] == share


def test_the_on_time_share_counts_late_and_overdue_tickets_against_it():
    records = [
        record(at(1), done_after=timedelta(days=1)),
        record(at(1), done_after=timedelta(days=2)),
        record(at(1), done_after=timedelta(days=6, hours=1)),  # late
        record(at(1)),  # overdue (deadline 7 December, now 8 December)
        record(at(5)),  # not yet due: left out
    ]
    assert figures(records)["on_time_share"] == 0.5
    assert records[3].outcome(NOW) is Outcome.OVERDUE
    assert records[4].outcome(NOW) is Outcome.PENDING


def test_weeks_count_tickets_received_and_done_in_each_week():
    records = [
        record(at(23, month=11), done_after=timedelta(days=8)),  # received before, done in W49
        record(at(30, month=11)),
        record(at(2), done_after=timedelta(hours=3)),
        record(at(8), done_after=timedelta(days=1)),
    ]
    result = figures(records, since=date(2026, 11, 30), until=date(2026, 12, 13))
    assert result["by_week"] == [
        {"week": "2026-W49", "received": 2, "done": 2},
        {"week": "2026-W50", "received": 1, "done": 1},
    ]


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 12, 28), "2026-W53"),
        (date(2027, 1, 1), "2026-W53"),  # a Friday in the last week of 2026
        (date(2027, 1, 4), "2027-W01"),
        (date(2024, 12, 30), "2025-W01"),  # a Monday in the first week of 2025
        (datetime(2026, 12, 27, 17, 30, tzinfo=timezone.utc), "2026-W53"),  # 00:30 WIB Monday
    ],
)
def test_weeks_are_iso_weeks_read_in_wib(day, week):
    assert iso_week(day) == week


def test_a_range_across_new_year_lists_its_weeks_in_order():
    records = [record(at(31)), record(at(2, month=1, year=2027)), record(at(5, month=1, year=2027))]
    result = figures(records, since=date(2026, 12, 21), until=date(2027, 1, 10))
    assert [(w["week"], w["received"]) for w in result["by_week"]] == [
        ("2026-W52", 0),
        ("2026-W53", 2),
        ("2027-W01", 1),
    ]


def test_days_are_read_in_wib():
    late_evening_utc = datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc)  # 30 Nov 01:00 WIB
    assert figures([record(late_evening_utc)])["received"] == 1


@pytest.mark.parametrize(
    ("scope", "received"),
    [
        ({}, 4),
        ({"agency": "PDAM"}, 1),
        ({"area": Area(kabupaten_kota="Metro")}, 2),
        ({"area": Area(kabupaten_kota="lampung selatan")}, 2),
        ({"area": Area("Lampung Selatan", None, "Hajimena")}, 1),
        ({"agency": "PDAM", "area": Area(kabupaten_kota="Metro")}, 0),
    ],
)
def test_a_scope_is_an_agency_an_area_or_both(scope, received):
    records = [
        record(at(1)),
        record(at(1), kabupaten_kota="Metro", agency="Dinas PUPR"),
        record(at(1), kabupaten_kota="Lampung Selatan", desa="Hajimena"),
        record(at(1), kabupaten_kota="Lampung Selatan", agency="PDAM"),
    ]
    assert figures(records, **scope)["received"] == received


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        figures([], since=date(2026, 12, 6), until=date(2026, 12, 1))


# --- public figures ---------------------------------------------------------------------


def cell_of(count: int, **fields) -> list[TicketRecord]:
    return [record(at(1), **fields) for _ in range(count)]


@pytest.mark.parametrize(("count", "published"), [(SMALL_CELL - 1, False), (SMALL_CELL, True)])
def test_a_cell_under_five_tickets_is_left_out(count, published):
    result = public_figures(cell_of(count), "2026-12", now=NOW)
    assert bool(result["cells"]) is published
    assert SMALL_CELL == 5


def test_public_cells_say_received_done_and_on_time_per_region_category_and_agency():
    records = [
        *cell_of(3, done_after=timedelta(days=1)),
        *cell_of(1, done_after=timedelta(days=10)),
        *cell_of(2),  # overdue by now
        *cell_of(4, kabupaten_kota="Mesuji"),  # a small cell
        *cell_of(5, category="sampah", done_after=timedelta(days=1)),
        record(at(1, month=11)),  # another month
    ]
    result = public_figures(records, "2026-12", now=NOW)
    assert result == {
        "month": "2026-12",
        "cells": [
            {
                "kabupaten_kota": "Metro",
                "category": "jalan",
                "agency": "Dinas PUPR",
                "received": 6,
                "done": 4,
                "on_time_share": 0.5,
            },
            {
                "kabupaten_kota": "Metro",
                "category": "sampah",
                "agency": "Dinas PUPR",
                "received": 5,
                "done": 5,
                "on_time_share": 1.0,
            },
        ],
    }


def test_published_totals_add_up_published_cells_only_so_no_hidden_cell_can_be_recovered():
    records = [*cell_of(7), *cell_of(2, category="pungli"), *cell_of(6, kabupaten_kota="Mesuji")]
    result = public_figures(records, "2026-12", now=NOW)
    totals = published_totals(result)
    assert totals == {"Metro": 7, "Mesuji": 6}
    assert sum(totals.values()) == sum(c["received"] for c in result["cells"])
    assert "total" not in result


def test_public_figures_carry_no_personal_field():
    result = public_figures(list(synthetic_records(2000, seed=3)), "2026-10", now=NOW)
    assert result["cells"]
    assert {key for c in result["cells"] for key in c} == {
        "kabupaten_kota",
        "category",
        "agency",
        "received",
        "done",
        "on_time_share",
    }
    assert min(c["received"] for c in result["cells"]) >= SMALL_CELL


def test_no_tickets_in_the_month_publish_no_cells():
    assert public_figures([], "2026-02", now=NOW) == {"month": "2026-02", "cells": []}


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_month_is_its_days(month, first, last):
    assert month_range(month) == (first, last)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "Desember", "2026-00", ""])
def test_a_month_that_is_not_yyyy_mm_is_refused(month):
    with pytest.raises(ValueError, match="not a month"):
        public_figures([], month)


# --- CSV --------------------------------------------------------------------------------


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_staff_figures_as_csv_are_one_long_table_with_a_row_per_number():
    records = [record(at(1), done_after=timedelta(days=1), rating=4), record(at(2))]
    table = rows(figures_csv(figures(records)))
    assert table[0] == ["figure", "key", "value"]
    assert ["received", "", "2"] in table
    assert ["open_by_status", "diterima", "1"] in table
    assert ["on_time_share", "", "1.0"] in table
    assert ["average_rating", "", "4.0"] in table
    assert ["by_week.received", "2026-W49", "2"] in table
    assert ["by_week.done", "2026-W49", "1"] in table
    assert ["by_category", "jalan", "2"] in table


def test_a_null_is_an_empty_csv_value():
    assert ["on_time_share", "", ""] in rows(figures_csv(figures([])))


def test_public_figures_as_csv_have_a_row_per_published_cell():
    records = cell_of(5, due_after=timedelta(days=30)) + cell_of(1, category="air")
    table = rows(figures_csv(public_figures(records, "2026-12", now=NOW)))
    assert table == [
        ["month", "kabupaten_kota", "category", "agency", "received", "done", "on_time_share"],
        ["2026-12", "Metro", "jalan", "Dinas PUPR", "5", "0", ""],
    ]


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
def test_text_that_a_spreadsheet_would_run_is_defused(name):
    table = rows(figures_csv(figures([record(at(1), category=name)])))
    assert ["by_category", "'" + name, "1"] in table


def test_staff_figures_over_many_records_add_up():
    records = list(synthetic_records(5000, seed=11))
    result = staff_figures(records, since=date(2026, 9, 1), until=date(2027, 6, 30), now=NOW)
    assert result["received"] == 5000
    assert sum(w["received"] for w in result["by_week"]) == 5000
    assert sum(result["by_category"].values()) == 5000
    assert sum(w["done"] for w in result["by_week"]) == sum(r.done_at is not None for r in records)
    assert 0 < (result["on_time_share"] or 0) < 1
