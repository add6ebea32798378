"""Agencies on PostgreSQL and SQLite: where real filings go, who sees them, the agency CLI."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator

import pytest

from bot.domain.agencies import AgencyKind, agency_catalog
from bot.domain.errors import TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.staff import InvalidStaffAccount, Role, StaffAccount
from bot.services.handoff_desk import HandoffNotFound
from bot.services.staff_desk import Filing, QueueQuery
from bot.services.views import ApplicationDraft
from tests.auxil.staff import PASSWORD, build, complaint, unique


@pytest.fixture
async def staff(database_url, clock) -> AsyncIterator:
    services = build(database_url, clock=clock)
    yield services
    services.engine.dispose()


async def officer(staff, *, agency: str | None = None, **area: str) -> StaffAccount:
    return await staff.accounts.add(
        unique("u"), role=Role.OFFICER, password=PASSWORD, agency_code=agency, **area
    )


def agency_of(staff, number: str) -> str | None:
    with staff.tabik.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None
        return ticket.agency_code


def escalate(staff, number: str, to: str) -> None:
    with staff.tabik.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None
        ticket.escalated_to = to
        uow.commit()


async def rubbish_in_kedaton(staff) -> str:
    return await complaint(
        staff.tabik,
        account=unique("62812"),
        desa=unique("Desa"),
        kecamatan="Kedaton",
        kabupaten_kota="Bandar Lampung",
        category="sampah",
    )


async def test_rubbish_in_kedaton_goes_to_the_environment_department_of_bandar_lampung(staff):
    number = await rubbish_in_kedaton(staff)
    assert agency_of(staff, number) == "DLH-1871"


async def test_a_ktp_in_metro_goes_to_metros_civil_registry(staff):
    receipt = await staff.tabik.apply_for_document(
        ApplicationDraft(
            document_type="ktp",
            nik="1871010101900001",
            full_name="Budi Santoso",
            kabupaten_kota="Metro",
            phone_number="081234567890",
        ),
        identity=ChatIdentity(channel="whatsapp", account=unique("62813")),
    )
    assert agency_of(staff, receipt.number) == "DUKCAPIL-1872"


async def test_an_sktm_filed_at_the_desk_for_a_desa_goes_to_that_desas_government(staff):
    desk_officer = await officer(staff, kabupaten_kota="Lampung Selatan")
    number = await staff.desk.file_on_behalf(
        desk_officer,
        Filing(
            kind="application",
            name="Siti Aminah",
            phone="0812" + unique("")[:8].translate(str.maketrans("abcdef", "123456")),
            nik="1801010101900002",
            category=None,
            document_type="sktm",
            kabupaten_kota="Lampung Selatan",
            kecamatan="Natar",
            desa="Hajimena",
            description=None,
        ),
    )
    assert agency_of(staff, number) == "DESA-1801042001"


async def test_a_complaint_about_service_goes_to_the_verification_desk(staff):
    number = await complaint(
        staff.tabik, account=unique("62812"), desa=unique("Desa"), category="pelayanan"
    )
    assert agency_of(staff, number) == "VERIFIKASI-18"


async def test_an_officer_of_an_agency_sees_exactly_the_tickets_it_holds_or_watches(staff):
    number = await rubbish_in_kedaton(staff)
    dlh = await officer(staff, agency="dlh-1871")
    pu = await officer(staff, agency="PU-1871")
    area = await officer(staff, kabupaten_kota="Bandar Lampung")

    assert dlh.agency_code == "DLH-1871"
    assert number in {i.number for i in await staff.desk.queue(dlh, QueueQuery())}
    page = await staff.desk.ticket(dlh, number)
    assert page.item.agency_name == "Dinas Lingkungan Hidup Kota Bandar Lampung"
    queued = await staff.desk.queue(pu, QueueQuery())
    assert number not in {i.number for i in queued}
    assert all(i.agency_code == "PU-1871" or i.escalated_to == "PU-1871" for i in queued)
    with pytest.raises(TicketNotFound):
        await staff.desk.ticket(pu, number)
    with pytest.raises(TicketNotFound):
        await staff.desk.change_status(pu, number, to="diverifikasi", note=None)
    assert number in {i.number for i in await staff.desk.queue(area, QueueQuery())}
    await staff.desk.ticket(area, number)

    province = await officer(staff, agency="DLH-18")
    with pytest.raises(TicketNotFound):
        await staff.desk.ticket(province, number)
    escalate(staff, number, "DLH-18")
    assert number in {i.number for i in await staff.desk.queue(province, QueueQuery())}
    assert (await staff.desk.ticket(province, number)).item.escalated_to == "DLH-18"
    await staff.desk.ticket(dlh, number)  # the holder keeps it


async def test_the_verification_desk_has_officers_too(staff):
    number = await complaint(
        staff.tabik, account=unique("62812"), desa=unique("Desa"), category="lainnya"
    )
    desk = await officer(staff, agency="VERIFIKASI-18")
    assert number in {i.number for i in await staff.desk.queue(desk, QueueQuery())}


async def test_an_agency_must_exist_and_only_officers_have_one(staff):
    with pytest.raises(Exception, match="DLH-9999"):
        await officer(staff, agency="DLH-9999")
    with pytest.raises(InvalidStaffAccount, match="agency"):
        await staff.accounts.add(
            unique("u"),
            role=Role.ADMIN,
            password=PASSWORD,
            agency_code="DLH-1871",
        )


# ---------------------------------------------------------------------- CLI


def cli(*argv: str) -> tuple[int, str]:
    from bot import cli as entry

    out = io.StringIO()
    return entry.main(list(argv), out=out), out.getvalue()


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def test_agency_list_gives_the_whole_catalogue_as_json(cli_database):
    code, text = cli("agency", "list", "--json")
    assert code == 0
    listed = json.loads(text)
    assert len(listed) >= 3026
    dlh = next(a for a in listed if a["code"] == "DLH-1871")
    assert set(dlh) == {"code", "name", "level", "kabupaten_kota", "handles"}
    assert dlh["level"] == "kabupaten" and dlh["kabupaten_kota"] == "Bandar Lampung"
    assert dlh["handles"]["complaint_category"] == ["sampah"]


async def test_an_admins_rule_sends_new_tickets_elsewhere_and_is_audited(staff, cli_database):
    # One kabupaten's health complaints only, so no other test's tickets move.
    code, text = await asyncio.to_thread(
        cli, "agency", "rule", "kesehatan", "DISDIK", "--kabupaten", "Pesisir Barat"
    )
    assert code == 0, text
    number = await complaint(
        staff.tabik,
        account=unique("62812"),
        desa=unique("Desa"),
        kecamatan="Krui",
        kabupaten_kota="Pesisir Barat",
        category="kesehatan",
    )
    disdik = agency_catalog().of_kind(AgencyKind.DISDIK, "Pesisir Barat")
    assert disdik is not None
    assert agency_of(staff, number) == disdik.code
    with staff.tabik.uow_factory() as uow:
        last = uow.audit.for_subject("kesehatan")[-1]
        assert (last.actor, last.action) == ("cli", "routing.rule_added")


def test_a_rule_that_would_leave_tickets_unplaced_is_refused_naming_the_category(
    cli_database, capsys
):
    code, _ = cli("agency", "rule", "sampah", "DLH-9999")
    assert code == 1
    assert "sampah" in capsys.readouterr().err
    code, _ = cli("agency", "rule", "bukan-kategori", "DLH")
    assert code == 1
    assert "bukan-kategori" in capsys.readouterr().err


def test_agency_add_renames_and_is_audited(cli_database, capsys):
    name = unique("Dinas Lingkungan Hidup Kota Metro ")
    code, text = cli("agency", "add", "DLH-1872", "--name", name, "--level", "kabupaten")
    assert code == 0, text
    code, text = cli("agency", "list", "--json")
    assert next(a for a in json.loads(text) if a["code"] == "DLH-1872")["name"] == name
    code, _ = cli("agency", "add", "DLH-1872", "--name", "X", "--level", "desa")
    assert code == 1 and "DLH-1872" in capsys.readouterr().err
    code, _ = cli("agency", "add", "NOPE-1", "--name", "X", "--level", "desa")
    assert code == 1 and "NOPE-1" in capsys.readouterr().err


def test_staff_add_with_an_unknown_agency_fails_naming_it(cli_database, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _ = cli("staff", "add", unique("u"), "--role", "officer", "--agency", "DLH-1899")
    assert code == 1 and "DLH-1899" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, text = cli("staff", "add", unique("u"), "--role", "officer", "--agency", "DLH-1871")
    assert code == 0 and "DLH-1871" in text


async def test_agency_add_of_a_sub_unit_adds_an_agency_below_its_department(
    staff, cli_database, monkeypatch, capsys
):
    name = unique("UPT Jalan Wilayah Utara ")
    code, text = await asyncio.to_thread(
        cli, "agency", "add", "pu-1871-01", "--name", name, "--level", "kecamatan"
    )
    assert code == 0, text
    code, text = await asyncio.to_thread(cli, "agency", "list", "--json")
    unit = next(a for a in json.loads(text) if a["code"] == "PU-1871-01")
    assert (unit["name"], unit["level"], unit["kabupaten_kota"]) == (
        name,
        "kecamatan",
        "Bandar Lampung",
    )
    with staff.tabik.uow_factory() as uow:
        last = uow.audit.for_subject("PU-1871-01")[-1]
        assert last.action in ("agency.added", "agency.renamed") and last.actor == "cli"

    number = await rubbish_in_kedaton(staff)
    with staff.tabik.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None
        ticket.agency_code = "PU-1871-01"  # as a delegation leaves it
        uow.commit()
    upt = await officer(staff, agency="PU-1871-01")
    assert number in {i.number for i in await staff.desk.queue(upt, QueueQuery())}
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, text = await asyncio.to_thread(
        cli, "staff", "add", unique("u"), "--role", "officer", "--agency", "PU-1871-01"
    )
    assert code == 0 and "PU-1871-01" in text


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (("PU-1871-02", "--level", "kabupaten"), "level kecamatan"),
        (("PU-1871-02", "--level", "kecamatan", "--kabupaten", "Metro"), "not Metro"),
        (("PU-1899-01", "--level", "kecamatan"), "18.99"),
        (("KEC-187101-01", "--level", "desa"), "only a department's code"),
        (("PU-1871-00", "--level", "kecamatan"), "01-99"),
    ],
)
def test_agency_add_refuses_a_sub_unit_that_does_not_fit_its_department(
    cli_database, capsys, argv: tuple[str, ...], problem: str
):
    code, _ = cli("agency", "add", argv[0], "--name", "UPT X", *argv[1:])
    err = capsys.readouterr().err
    assert code == 1 and problem in err and argv[0] in err


async def test_an_agencys_officer_answers_the_handoffs_of_residents_it_holds_a_ticket_of(staff):
    account = unique("62812")
    await complaint(
        staff.tabik,
        account=account,
        desa=unique("Desa"),
        kecamatan="Kedaton",
        kabupaten_kota="Bandar Lampung",
        category="sampah",
    )
    resident = ChatIdentity(channel="whatsapp", account=account)
    opened = await staff.handoffs.open(identity=resident, reason="tolong", transcript=[])
    lonely = ChatIdentity(channel="whatsapp", account=unique("62899"))
    province_only = await staff.handoffs.open(identity=lonely, reason=None, transcript=[])

    dlh = await officer(staff, agency="DLH-1871")
    seen = {h.reference for h in await staff.handoffs.handoffs(dlh)}
    assert opened.reference in seen and province_only.reference not in seen
    assert (await staff.handoffs.handoff(dlh, opened.reference)).reference == opened.reference
    province_dlh = await officer(staff, agency="DLH-18")  # no kabupaten: once saw them all
    assert opened.reference not in {
        h.reference for h in await staff.handoffs.handoffs(province_dlh)
    }
    with pytest.raises(HandoffNotFound):
        await staff.handoffs.handoff(province_dlh, opened.reference)
    for other in (await officer(staff, agency="PU-1871"), province_dlh):
        with pytest.raises(HandoffNotFound):
            await staff.handoffs.reply(other, opened.reference, "Baik, kami cek.")

    with staff.tabik.uow_factory() as uow:
        identity = uow.identities.get("whatsapp", account)
        assert identity is not None and identity.id is not None
        number = uow.tickets.filed_by(identity.id, limit=1)[0].number
    escalate(staff, number, "DLH-18")  # the watcher answers too; the holder still does
    assert (await staff.handoffs.handoff(province_dlh, opened.reference)).reference
    assert opened.reference in {h.reference for h in await staff.handoffs.handoffs(dlh)}
    area = await officer(staff, kabupaten_kota="Bandar Lampung")
    assert opened.reference in {h.reference for h in await staff.handoffs.handoffs(area)}


def test_a_province_departments_sub_unit_works_in_the_kabupaten_named(cli_database):
    code, text = cli(
        "agency",
        "add",
        "DLH-18-02",
        "--name",
        "UPTD Laboratorium Lingkungan",
        "--level",
        "kabupaten",
        "--kabupaten",
        "kota metro",
    )
    assert code == 0, text
    code, text = cli("agency", "list", "--json")
    unit = next(a for a in json.loads(text) if a["code"] == "DLH-18-02")
    assert (unit["level"], unit["kabupaten_kota"]) == ("kabupaten", "Metro")
