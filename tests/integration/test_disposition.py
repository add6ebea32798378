"""Forwarding between agencies and escalation of overdue tickets, on PostgreSQL and SQLite."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from bot.adapters.db.engine import make_session_factory
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.sla_rules import load_sla_rules
from bot.domain.errors import InvalidDraft, TicketNotFound
from bot.domain.office_hours import WIB
from bot.domain.routing import ForwardRefused
from bot.domain.staff import Role, StaffAccount
from bot.services.desk_filing import received_at_of
from bot.services.desk_views import Filing
from bot.services.disposition import ForwardProblem
from bot.services.escalation import Escalation
from bot.services.repositories import TicketTransfer
from tests.auxil.staff import PASSWORD, FakeMessenger, build, complaint, unique

DESA = "DESA-1801072001"
KEC = "KEC-180107"


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
async def staff(database_url, clock, messenger) -> AsyncIterator:
    services = build(database_url, clock=clock, messenger=messenger)
    yield services
    services.engine.dispose()


async def account(staff, role: Role, agency: str | None = None, **area: str) -> StaffAccount:
    made = await staff.accounts.add(unique("u"), role=role, password=PASSWORD, **area)
    with staff.desk.uow_factory() as uow:
        stored = uow.staff.account(made.username)
        stored.agency_code = agency
        uow.commit()
    made.agency_code = agency
    return made


def edit(staff, number: str, **fields: Any) -> None:
    with staff.desk.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        for name, value in fields.items():
            setattr(ticket, name, value)
        uow.commit()


def stored(staff, number: str) -> tuple[Any, list[TicketTransfer], list[str]]:
    with staff.desk.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        transfers = uow.transfers.of_ticket(ticket.id)
        actions = [e.action for e in uow.audit.for_subject(number)]
        seen = (
            ticket.agency_code,
            ticket.status.value,
            ticket.escalated_to,
            ticket.escalated_at,
            [(c.from_status, c.to_status, c.note) for c in ticket.history],
        )
        return seen, transfers, actions


async def filed(staff, account: str, agency: str = "DLH-1801", **fields: Any) -> str:
    number = await complaint(staff.tabik, account=account, desa=unique("Desa"))
    edit(staff, number, agency_code=agency, **fields)
    return number


async def test_a_forward_moves_the_ticket_and_tells_the_resident(staff, messenger):
    resident = unique("62812")
    number = await filed(staff, resident, escalated_to="DLH-18")
    await staff.desk.change_status(
        await account(staff, Role.ADMIN), number, to="diverifikasi", note=None
    )
    officer = await account(staff, Role.OFFICER, "DLH-1801", kabupaten_kota="Lampung Selatan")

    page = await staff.disposition.forward(officer, number, "dlh-1871", "delegasi", "Lokasi kota")

    (agency, status, watcher, _, history), transfers, actions = stored(staff, number)
    assert (agency, status, watcher) == ("DLH-1871", "diteruskan", None)
    note = history[-1][2]
    assert "Kabupaten Lampung Selatan (DLH-1801)" in note
    assert "Kota Bandar Lampung (DLH-1871)" in note
    assert officer.actor in note and "delegasi" in note and "Lokasi kota" in note
    assert page.history[-1]["actor"] == officer.actor
    assert [(t.from_agency, t.to_agency, t.reason, t.note, t.actor) for t in transfers] == [
        ("DLH-1801", "DLH-1871", "delegasi", "Lokasi kota", officer.actor)
    ]
    assert "ticket.forwarded" in actions
    assert messenger.texts_to(resident)[-1] == (
        f"Baik, Bapak/Ibu. Laporan Anda {number} kini ditangani oleh "
        "Dinas Lingkungan Hidup Kota Bandar Lampung."
    )


async def test_a_forward_the_lifecycle_does_not_allow_keeps_the_status_and_says_so(staff):
    number = await filed(staff, unique("62812"))
    admin = await account(staff, Role.ADMIN)

    await staff.disposition.forward(admin, number, "PU-1801", "disposisi", None)

    (agency, status, _, _, history), transfers, _ = stored(staff, number)
    assert (agency, status) == ("PU-1801", "diterima")
    assert history[-1][0] == history[-1][1] == history[-1][0].DITERIMA
    assert "Status tetap diterima." in history[-1][2]
    assert len(transfers) == 1


async def test_bukan_wewenang_to_pusat_closes_the_ticket_with_where_it_belongs(staff, messenger):
    resident = unique("62812")
    number = await filed(staff, resident)
    province = await account(staff, Role.OFFICER)

    await staff.disposition.forward(province, number, "PUSAT", "bukan_wewenang", None)

    (agency, status, _, _, history), _, _ = stored(staff, number)
    assert (agency, status) == ("PUSAT", "ditolak")
    assert "lapor.go.id, SMS 1708" in history[-1][2]
    told = messenger.texts_to(resident)[-1]
    assert told.startswith(f"Mohon maaf, Bapak/Ibu. Laporan Anda {number} bukan wewenang")
    assert "Instansi Pemerintah Pusat (SP4N-LAPOR!): lapor.go.id, SMS 1708" in told


@pytest.mark.parametrize(
    ("target", "reason", "problem"),
    [
        ("DLH-9999", "disposisi", ForwardProblem.UNKNOWN),
        ("bukan-kode", "disposisi", ForwardProblem.UNKNOWN),
        ("DLH-1801", "disposisi", ForwardProblem.SAME),
        ("PUSAT", "delegasi", ForwardProblem.PUSAT),
        ("DLH-1871", "pindah", ForwardProblem.REASON),
    ],
)
async def test_a_refused_forward_names_the_problem_and_changes_nothing(
    staff, target, reason, problem
):
    number = await filed(staff, unique("62812"))
    admin = await account(staff, Role.ADMIN)
    before = stored(staff, number)

    with pytest.raises(ForwardRefused) as refused:
        await staff.disposition.forward(admin, number, target, reason, None)

    assert staff.disposition.problem(refused.value) is problem
    assert stored(staff, number) == before


async def test_a_closed_ticket_is_not_forwarded(staff):
    number = await filed(staff, unique("62812"))
    admin = await account(staff, Role.ADMIN)
    await staff.desk.change_status(admin, number, to="ditolak", note="Ganda")

    with pytest.raises(ForwardRefused) as refused:
        await staff.disposition.forward(admin, number, "DLH-1871", "disposisi", None)
    refusal = staff.disposition.refusal(refused.value)
    assert refusal == "Tiket sudah ditolak; tidak dapat diteruskan."


async def test_an_officer_of_another_agency_gets_not_found(staff):
    number = await filed(staff, unique("62812"))
    other = await account(staff, Role.OFFICER, "PU-1801", kabupaten_kota="Lampung Selatan")
    area_only = await account(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")

    for user in (other, area_only):
        with pytest.raises(TicketNotFound):
            await staff.disposition.forward(user, number, "DLH-1871", "disposisi", None)
    assert stored(staff, number)[0][0] == "DLH-1801"


async def test_a_crash_before_commit_leaves_the_ticket_where_it_was(staff, monkeypatch):
    resident = unique("62812")
    number = await filed(staff, resident)
    admin = await account(staff, Role.ADMIN)
    before = stored(staff, number)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("crash before commit")

    monkeypatch.setattr(staff.disposition, "_tell", crash)
    with pytest.raises(RuntimeError):
        await staff.disposition.forward(admin, number, "DLH-1871", "disposisi", None)

    assert stored(staff, number) == before


# ------------------------------------------------------------------ escalation


def escalation_of(staff, clock) -> Escalation:
    return Escalation(
        functools.partial(SqlAlchemyUnitOfWork, make_session_factory(staff.engine)),
        sla_rules=load_sla_rules(),
        schedule=staff.desk.schedule,
        clock=clock,
    )


@pytest.mark.parametrize(
    ("holder", "target"),
    [
        (DESA, KEC),
        ("DLH-1871", "DLH-18"),
        (KEC, "VERIFIKASI-18"),
        ("DLH-18", "VERIFIKASI-18"),
    ],
)
async def test_a_report_received_ten_working_days_ago_is_escalated_once(
    staff, clock, holder, target
):
    number = await filed(
        staff, unique("62812"), agency=holder, received_at=clock() - timedelta(days=14)
    )
    escalation = escalation_of(staff, clock)

    preview = [e for e in escalation.run(dry_run=True) if e.number == number]
    assert [(e.from_agency, e.to_agency) for e in preview] == [(holder, target)]
    assert stored(staff, number)[1] == []  # the dry run wrote nothing
    assert stored(staff, number)[0][2] is None

    first = [e for e in escalation.run() if e.number == number]
    again = [e for e in escalation.run() if e.number == number]

    assert [(e.holder, e.to_agency) for e in first] == [(holder, target)]
    assert again == []
    (agency, status, watcher, at, history), transfers, actions = stored(staff, number)
    assert (agency, status, watcher, at) == (holder, "diterima", target, clock())
    assert target in history[-1][2]
    assert [(t.from_agency, t.to_agency, t.reason) for t in transfers] == [
        (holder, target, "eskalasi")
    ]
    assert actions.count("ticket.escalated") == 1
    page = await staff.desk.ticket(await account(staff, Role.ADMIN), number)
    assert page.history[-1]["actor"] == "system:eskalasi"
    assert page.item.sla == "overdue"


async def test_passes_running_at_once_escalate_a_ticket_once(staff, clock):
    """Two instances' workers at the same moment: one escalation, one transfer row."""
    number = await filed(
        staff, unique("62812"), agency="DLH-1871", received_at=clock() - timedelta(days=14)
    )
    passes = [escalation_of(staff, clock) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=len(passes)) as pool:
        runs = list(pool.map(lambda escalation: escalation.run(), passes))

    mine = [e for run in runs for e in run if e.number == number]
    assert [(e.holder, e.to_agency) for e in mine] == [("DLH-1871", "DLH-18")]
    _, transfers, actions = stored(staff, number)
    assert len(transfers) == 1 and actions.count("ticket.escalated") == 1


async def test_a_fresh_or_finished_ticket_is_not_escalated(staff, clock):
    fresh = await filed(staff, unique("62812"), agency="DLH-1871")
    done = await filed(
        staff, unique("62812"), agency="DLH-1871", received_at=clock() - timedelta(days=20)
    )
    await staff.desk.change_status(
        await account(staff, Role.ADMIN), done, to="ditolak", note="Ganda"
    )

    numbers = {e.number for e in escalation_of(staff, clock).run()}

    assert fresh not in numbers and done not in numbers


async def test_still_overdue_after_another_full_period_goes_one_more_level(staff, clock):
    number = await filed(
        staff, unique("62812"), agency=DESA, received_at=clock() - timedelta(days=7)
    )
    escalation = escalation_of(staff, clock)
    assert [e.to_agency for e in escalation.run() if e.number == number] == [KEC]

    clock.advance(days=5)
    assert [e for e in escalation.run() if e.number == number] == []
    clock.advance(days=2)
    assert [e.to_agency for e in escalation.run() if e.number == number] == ["VERIFIKASI-18"]
    clock.advance(days=30)
    assert [e for e in escalation.run() if e.number == number] == []  # nothing above


async def test_a_forward_clears_the_watcher_so_the_new_holder_starts_fresh(staff, clock):
    number = await filed(
        staff, unique("62812"), agency="DLH-1871", received_at=clock() - timedelta(days=8)
    )
    escalation_of(staff, clock).run()
    assert stored(staff, number)[0][2] == "DLH-18"

    await staff.disposition.forward(
        await account(staff, Role.ADMIN), number, "PU-1871", "delegasi", None
    )

    assert stored(staff, number)[0][2] is None
    assert [e.to_agency for e in escalation_of(staff, clock).run() if e.number == number] == [
        "PU-18"
    ]


# ------------------------------------------------------------------ received_at


def desk_filing(received_at: Any) -> Filing:
    return Filing(
        kind="complaint",
        name="Pak Darto",
        phone=None,
        nik=None,
        category="jalan",
        document_type=None,
        kabupaten_kota="Lampung Selatan",
        kecamatan="Natar",
        desa=unique("Desa"),
        description="Jalan berlubang",
        received_at=received_at,
    )


async def test_a_report_received_earlier_is_stored_and_counts_from_then(staff, clock):
    officer = await account(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")
    received = received_at_of(
        (clock() - timedelta(days=10)).astimezone(WIB).replace(tzinfo=None).isoformat()
    )

    number = await staff.desk.file_on_behalf(officer, desk_filing(received))

    assert received == clock() - timedelta(days=10)  # no zone given: WIB
    with staff.desk.uow_factory() as uow:
        assert uow.tickets.get(number).received_at == received
    assert (await staff.desk.ticket(officer, number)).item.sla == "overdue"


@pytest.mark.parametrize("age", [timedelta(days=-1), timedelta(days=91)])
async def test_received_at_in_the_future_or_too_long_ago_is_refused(staff, clock, age):
    officer = await account(staff, Role.OFFICER, kabupaten_kota="Lampung Selatan")

    with pytest.raises(InvalidDraft) as refused:
        await staff.desk.file_on_behalf(officer, desk_filing(clock() - age))

    assert refused.value.field == "received_at"


def test_received_at_is_read_as_iso_8601() -> None:
    assert received_at_of("2026-12-01T08:00:00Z").utcoffset() == timedelta(0)
    assert received_at_of("2026-12-01T08:00:00+07:00") == received_at_of("2026-12-01T08:00")
    with pytest.raises(InvalidDraft):
        received_at_of("kemarin sore")
