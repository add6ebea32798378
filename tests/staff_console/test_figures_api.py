"""/api/stats, /api/stats.csv, /api/public/stats and the figures' pages, on SQLite and
PostgreSQL: scopes and filters, the same numbers as bot.domain.figures, and no personal data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from bot.adapters.db import migrate
from bot.adapters.db.tables_staff import staff_accounts
from bot.adapters.sla_rules import load_sla_rules
from bot.domain.figures import SMALL_CELL, TicketRecord, public_figures, staff_figures
from bot.domain.model import TicketStatus
from bot.domain.staff import Role
from console.main import init_app
from console.parts import ConsoleParts
from console.settings import ConsoleSettings
from tests.auxil.figure_tickets import PERSONAL, insert_records
from tests.auxil.services import postgres_schema
from tests.auxil.staff import Clock, FakeConversations, FakeMessenger, build
from tests.staff_console.conftest import Console

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=timezone.utc)  # Tuesday 10:00 WIB
HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}
DLH = "DLH-1871"


def record(
    day: int,
    *,
    month: int = 11,
    region: str = "Bandar Lampung",
    category: str = "sampah",
    agency: str | None = DLH,
    done_after: float | None = None,
    status: TicketStatus | None = None,
    rating: int | None = None,
    **place: str,
) -> TicketRecord:
    received = datetime(2026, month, day, 2, 0, tzinfo=timezone.utc)
    done = None if done_after is None else received + timedelta(days=done_after)
    return TicketRecord(
        received_at=received,
        status=status or (TicketStatus.SELESAI if done else TicketStatus.DITERIMA),
        category=category,
        kabupaten_kota=region,
        due_at=received + timedelta(days=6),
        agency=agency,
        done_at=done,
        rating=rating,
        **place,
    )


def tickets() -> list[TicketRecord]:
    """A month of tickets: a big public cell, a small one, another area, a village's own."""
    found = [record(d, done_after=d % 9, rating=(d % 5) + 1) for d in range(1, 13)]
    found += [record(d, category="jalan", agency="PU-1871") for d in (2, 3)]  # a small cell
    found += [record(d, region="Metro", agency="DLH-1872", done_after=1) for d in range(3, 9)]
    found += [
        record(
            d,
            region="Lampung Selatan",
            agency=None,
            kecamatan="Natar",
            desa="Hajimena",
            category="jalan",
        )
        for d in range(4, 10)
    ]
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
async def figures_console(
    request: pytest.FixtureRequest,
    console_template: Path,
    tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[TestClient]],
) -> AsyncIterator[Console]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tabik.db'}"
        migrate.upgrade(url)
        yield await _console(url, tmp_path, aiohttp_client)
    else:
        with postgres_schema("tabik_figures") as url:
            yield await _console(url, tmp_path, aiohttp_client)


async def _console(
    url: str, tmp_path: Path, aiohttp_client: Callable[..., Awaitable[TestClient]]
) -> Console:
    clock, messenger, conversations = Clock(NOW), FakeMessenger(), FakeConversations()
    staff = build(url, clock=clock, messenger=messenger, conversations=conversations)
    insert_records(staff.engine, tickets())
    settings = ConsoleSettings(port=0, secret_key="test-secret", media_dir=tmp_path / "media")
    client = await aiohttp_client(init_app(ConsoleParts(staff, settings)))
    return Console(client, staff, messenger, conversations, clock)


async def agency_officer(console: Console, username: str, code: str, **area: str) -> None:
    """An officer of one agency (set in the table: the CLI's ``--agency`` is another change's)."""
    await console.account(username, Role.OFFICER, **area)
    with console.staff.engine.begin() as connection:
        connection.execute(
            update(staff_accounts)
            .where(staff_accounts.c.username == username)
            .values(agency_code=code)
        )


async def stats(console: Console, user: str, query: str = "") -> tuple[int, dict]:
    response = await console.client.get(f"/api/stats?{query}", headers=await console.token(user))
    return response.status, await response.json()


NOVEMBER = "from=2026-11-01&to=2026-11-30"


async def test_the_figures_are_the_domain_figures_of_the_users_scope(figures_console):
    console = figures_console
    await console.account("admin", Role.ADMIN)
    await console.account("kota", Role.OFFICER, kabupaten_kota="Bandar Lampung")
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    everything = tickets()
    since, until = date(2026, 11, 1), date(2026, 11, 30)

    status, province = await stats(console, "admin", NOVEMBER)
    assert status == 200
    assert province == staff_figures(everything, since=since, until=until, now=NOW)
    assert province["received"] == len(everything) == 26

    status, city = await stats(console, "kota", NOVEMBER)
    expected = [r for r in everything if r.kabupaten_kota == "Bandar Lampung"]
    assert city == staff_figures(expected, since=since, until=until, now=NOW)
    assert city["received"] == 14 and city["average_rating"] == 2.92

    status, village = await stats(console, "hajimena", NOVEMBER)
    assert village["received"] == 6 and village["by_category"] == {"jalan": 6}


async def test_filters_narrow_and_a_filter_outside_the_scope_is_404(figures_console):
    console = figures_console
    await console.account("admin", Role.ADMIN)
    await console.account("kota", Role.OFFICER, kabupaten_kota="Bandar Lampung")
    await agency_officer(console, "dlh", DLH, kabupaten_kota="Bandar Lampung")

    _, metro = await stats(console, "admin", f"{NOVEMBER}&kabupaten_kota=Metro")
    assert metro["received"] == 6
    _, pupr = await stats(console, "admin", f"{NOVEMBER}&agency=PU-1871")
    assert pupr["received"] == 2 and pupr["by_category"] == {"jalan": 2}
    _, dlh = await stats(console, "dlh", NOVEMBER)
    assert dlh["received"] == 12  # the tickets its agency holds, not the whole city's

    for user, query in (
        ("kota", "kabupaten_kota=Metro"),
        ("kota", "agency=DLH-1872"),
        ("dlh", "agency=PU-1871"),
        ("admin", "agency=NOPE-1"),
        ("admin", "kabupaten_kota=Atlantis"),
    ):
        status, body = await stats(console, user, query)
        assert (status, body) == (404, {"error": "Tidak ditemukan."}), (user, query)
    for query in ("from=kemarin", "from=2026-11-30&to=2026-11-01", "from=2024-01-01&to=2026-11-01"):
        status, body = await stats(console, "admin", query)
        assert status == 422 and "error" in body
    assert (await console.client.get("/api/stats")).status == 401


async def test_an_escalated_ticket_counts_for_the_agency_watching_it(figures_console):
    console = figures_console
    insert_records(
        console.staff.engine,
        [record(20, region="Metro", agency="DLH-1872", category="banjir")],
        escalated_to="DLH-18",
    )
    await agency_officer(console, "provinsi", "DLH-18")
    _, watched = await stats(console, "provinsi", NOVEMBER)
    assert watched["received"] == 1 and watched["by_category"] == {"banjir": 1}


async def test_the_csv_is_the_same_figures(figures_console):
    console = figures_console
    await console.account("admin", Role.ADMIN)
    headers = await console.token("admin")
    response = await console.client.get(f"/api/stats.csv?{NOVEMBER}", headers=headers)
    assert response.status == 200
    assert response.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0] == ["figure", "key", "value"]
    assert ["received", "", "26"] in rows
    assert ["by_category", "sampah", "18"] in rows
    outside = await console.client.get("/api/stats.csv?agency=NOPE-1", headers=headers)
    assert outside.status == 404


async def test_the_public_figures_need_no_login_hide_small_cells_and_carry_nothing_personal(
    figures_console,
):
    console = figures_console
    response = await console.client.get("/api/public/stats?month=2026-11")
    assert response.status == 200
    body = await response.json()
    assert body == public_figures(tickets(), "2026-11", now=NOW)
    assert body["cells"] and all(c["received"] >= SMALL_CELL for c in body["cells"])
    assert not any(c["agency"] == "PU-1871" for c in body["cells"])  # 2 tickets: left out
    text = json.dumps(body)
    page = await (await console.client.get("/statistik?month=2026-11")).text()
    for personal in (*PERSONAL.values(), "ADU-", "081299887766"):
        assert personal not in text
        assert personal not in page
    assert "Kelompok kecil tidak ditampilkan" in page
    assert "Dinas Lingkungan Hidup" in page

    for month in ("2026-13", "11-2026", "bulan", "2027-01"):
        bad = await console.client.get(f"/api/public/stats?month={month}")
        assert bad.status == 422, month
        assert "error" in await bad.json()


async def test_the_dashboard_shows_the_scopes_charts_and_the_header_counts(figures_console):
    console = figures_console
    await console.account("kota", Role.OFFICER, kabupaten_kota="Bandar Lampung")
    assert await console.login("kota") == 302
    response = await console.client.get(f"/dasbor?{NOVEMBER}")
    page = await response.text()
    assert response.status == 200
    assert page.count('role="img"') == 4
    assert 'href="/dasbor"' in page and "Unduh CSV" in page
    assert "2 tiket baru" in page  # the city's two open ones, diterima
    for personal in PERSONAL.values():
        assert personal not in page
    download = await console.client.get(f"/dasbor.csv?{NOVEMBER}")
    assert download.status == 200 and "received,,14" in await download.text()
    outside = await console.client.get("/dasbor?kabupaten_kota=Metro")
    assert outside.status == 404 and "di luar cakupan" in await outside.text()


async def test_the_read_model_reads_the_same_records_as_it_groups(figures_console):
    """The SQL groups roll up to exactly what bot.domain.figures computes from its records."""
    console = figures_console
    desk = console.staff.figures
    assert desk is not None
    admin = await console.account("admin", Role.ADMIN)
    scope = desk.scope_of(admin)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    records = desk.queries.records(scope, start, NOW, sla=load_sla_rules())
    assert len(records) == 26 and all(r.agency != "" for r in records)
    figures = await desk.staff(admin, since=date(2026, 11, 1), until=date(2026, 12, 8))
    assert figures == staff_figures(
        records, since=date(2026, 11, 1), until=date(2026, 12, 8), now=NOW
    )
