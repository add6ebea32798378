"""Agencies in the console: the ticket JSON's agency, /api/agencies, the scope of an
agency's officer, and the admins' /admin/instansi page."""

from __future__ import annotations

import re

from bot.domain.staff import Role
from tests.auxil.staff import PASSWORD, complaint


def who(page: str) -> str:
    """The header line naming the user and whom they work for (the figures follow it)."""
    found = re.search(r'<div class="wrap who">(.*?)</div>', page, re.S)
    assert found, "no header line"
    return found.group(1)


async def rubbish(console, account: str) -> str:  # type: ignore[no-untyped-def]
    return await complaint(
        console.staff.tabik,
        account=account,
        desa="Sidodadi",
        kecamatan="Kedaton",
        kabupaten_kota="Bandar Lampung",
        category="sampah",
    )


async def test_tickets_carry_their_agency_and_an_agencys_officer_sees_only_its_own(console):
    number = await rubbish(console, "6281200000011")
    await console.staff.accounts.add(
        "petugas-dlh", role=Role.OFFICER, password=PASSWORD, agency_code="DLH-1871"
    )
    await console.staff.accounts.add(
        "petugas-pu", role=Role.OFFICER, password=PASSWORD, agency_code="PU-1871"
    )
    dlh, pu = await console.token("petugas-dlh"), await console.token("petugas-pu")

    listed = await (await console.client.get("/api/tickets", headers=dlh)).json()
    [row] = [t for t in listed["tickets"] if t["number"] == number]
    assert row["agency"] == {
        "code": "DLH-1871",
        "name": "Dinas Lingkungan Hidup Kota Bandar Lampung",
    }
    assert row["escalated_to"] is None
    details = await (await console.client.get(f"/api/tickets/{number}", headers=dlh)).json()
    assert details["agency"]["code"] == "DLH-1871" and details["escalated_to"] is None

    listed = await (await console.client.get("/api/tickets", headers=pu)).json()
    assert number not in [t["number"] for t in listed["tickets"]]
    assert (await console.client.get(f"/api/tickets/{number}", headers=pu)).status == 404


async def test_api_agencies_lists_the_catalogue(console):
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Metro")
    response = await console.client.get("/api/agencies", headers=await console.token("petugas"))
    assert response.status == 200
    agencies = (await response.json())["agencies"]
    assert len(agencies) == 3026
    assert {"code": "VERIFIKASI-18"}.items() <= next(
        a for a in agencies if a["code"] == "VERIFIKASI-18"
    ).items()


async def test_the_queue_page_shows_the_agency_and_the_escalation(console):
    number = await rubbish(console, "6281200000012")
    with console.staff.tabik.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None
        ticket.escalated_to = "DLH-18"
        uow.commit()
    await console.account("admin", Role.ADMIN)
    assert await console.login("admin") == 302
    page = await (await console.client.get("/antrean")).text()
    assert "Dinas Lingkungan Hidup Kota Bandar Lampung" in page and "Eskalasi" in page
    page = await (await console.client.get(f"/tiket/{number}")).text()
    assert "Dinas Lingkungan Hidup Kota Bandar Lampung" in page and "Eskalasi" in page


async def test_admins_search_the_agencies_and_add_a_rule_others_get_403(console):
    await console.account("admin", Role.ADMIN)
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Metro")
    assert await console.login("petugas") == 302
    assert (await console.client.get("/admin/instansi")).status == 403
    assert await console.login("admin") == 302

    page = await (await console.client.get("/admin/instansi")).text()
    assert "3026 instansi" in page and "halaman 1 dari 61" in page
    page = await (await console.client.get("/admin/instansi?q=hajimena")).text()
    assert "DESA-1801042001" in page and "1 instansi" in page

    token = await console.csrf("/admin/instansi")
    refused = await console.client.post(
        "/admin/instansi/aturan",
        data={"csrf_token": token, "ticket": "sampah", "target": "DLH-9999"},
    )
    assert refused.status == 422 and "sampah" in await refused.text()
    without_token = await console.client.post(
        "/admin/instansi/aturan", data={"ticket": "air", "target": "PU"}
    )
    assert without_token.status == 403
    done = await console.client.post(
        "/admin/instansi/aturan",
        data={"csrf_token": token, "ticket": "air", "target": "PU", "rule_kabupaten_kota": "Metro"},
    )
    assert done.status == 200 and "Aturan penerusan disimpan" in await done.text()
    entries = await console.staff.audit.entries(
        await console.staff.accounts.login("admin", PASSWORD), limit=5
    )
    assert any(e["action"] == "routing.rule_added" for e in entries)


async def test_an_admin_renames_an_agency_on_the_page_and_tickets_show_the_new_name(console):
    await console.account("admin", Role.ADMIN)
    assert await console.login("admin") == 302
    token = await console.csrf("/admin/instansi")
    name = "Dinas Lingkungan Hidup dan Kebersihan Kota Bandar Lampung"
    form = {"code": "dlh-1871", "name": name, "level": "kabupaten"}
    done = await console.client.post("/admin/instansi/tambah", data={"csrf_token": token, **form})
    assert done.status == 200 and name in await done.text()
    refused = await console.client.post(
        "/admin/instansi/tambah",
        data={"csrf_token": token, "code": "DLH-1871", "name": name, "level": "desa"},
    )
    assert refused.status == 422 and "DLH-1871" in await refused.text()

    number = await rubbish(console, "6281200000013")
    page = await (await console.client.get(f"/tiket/{number}")).text()
    assert name in page
    entries = await console.staff.audit.entries(
        await console.staff.accounts.login("admin", PASSWORD), limit=5
    )
    assert any(e["action"] == "agency.renamed" for e in entries)


async def test_the_header_names_an_agencys_officers_agency_and_others_their_area(console):
    await console.staff.accounts.add(
        "petugas-dlh", role=Role.OFFICER, password=PASSWORD, agency_code="DLH-1871"
    )
    await console.account("petugas-metro", Role.OFFICER, kabupaten_kota="Metro")
    assert await console.login("petugas-dlh") == 302
    page = await (await console.client.get("/")).text()
    assert "· Dinas Lingkungan Hidup Kota Bandar Lampung" in who(page)
    assert "Provinsi Lampung" not in who(page)
    await console.client.post("/logout", data={"csrf_token": await console.csrf("/")})
    assert await console.login("petugas-metro") == 302
    assert "· Metro" in who(await (await console.client.get("/")).text())


async def test_an_admin_adds_a_sub_unit_and_its_officers_header_names_it(console):
    await console.account("admin", Role.ADMIN)
    assert await console.login("admin") == 302
    token = await console.csrf("/admin/instansi")
    name = "UPT Jalan dan Jembatan Wilayah Utara Kota Bandar Lampung"
    refused = await console.client.post(
        "/admin/instansi/tambah",
        data={"csrf_token": token, "code": "PU-1871-01", "name": name, "level": "kabupaten"},
    )
    assert refused.status == 422 and "level kecamatan" in await refused.text()
    done = await console.client.post(
        "/admin/instansi/tambah",
        data={"csrf_token": token, "code": "pu-1871-01", "name": name, "level": "kecamatan"},
    )
    assert done.status == 200 and name in await done.text()
    admin = await console.token("admin")
    listed = await (await console.client.get("/api/agencies?q=PU-1871-01", headers=admin)).json()
    assert [(a["code"], a["level"], a["kabupaten_kota"]) for a in listed["agencies"]] == [
        ("PU-1871-01", "kecamatan", "Bandar Lampung")
    ]

    await console.staff.accounts.add(
        "petugas-upt", role=Role.OFFICER, password=PASSWORD, agency_code="PU-1871-01"
    )
    assert await console.login("petugas-upt") == 302
    assert f"· {name}" in who(await (await console.client.get("/")).text())
