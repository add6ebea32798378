"""The admins' erasure page: confirmation, CSRF, refusals, the audit, and the erasure itself."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.adapters.db.orm import residents
from bot.domain.identity import ChatIdentity
from bot.domain.staff import Role
from bot.services.views import ApplicationDraft

NIK = "1871015508900001"


async def post(console, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = await console.csrf("/admin/privasi")
    response = await console.client.post(path, data={"csrf_token": token, **data})
    return response.status, await response.text()


def residents_with(console, nik: str) -> int:  # type: ignore[no-untyped-def]
    with console.staff.engine.connect() as connection:
        query = select(func.count()).select_from(residents).where(residents.c.nik == nik)
        return int(connection.execute(query).scalar_one())


async def test_an_admin_erases_a_resident_by_nik_and_it_is_audited(console) -> None:
    receipt = await console.staff.tabik.apply_for_document(
        ApplicationDraft(
            document_type="kk",
            nik=NIK,
            full_name="Siti Aminah",
            kabupaten_kota="Bandar Lampung",
            phone_number="081234567890",
        ),
        identity=ChatIdentity(channel="whatsapp", account="6281234567890"),
    )
    admin = await console.account("admin", Role.ADMIN)
    assert await console.login("admin") == 302
    page = await (await console.client.get("/admin/privasi")).text()
    assert 'action="/admin/privasi/hapus"' in page and 'href="/admin/privasi"' in page

    status, unconfirmed = await post(console, "/admin/privasi/hapus", by="nik", value=NIK)
    assert status == 422 and 'href="#confirm"' in unconfirmed
    assert residents_with(console, NIK) == 1
    refused = await console.client.post(
        "/admin/privasi/hapus", data={"by": "nik", "value": NIK, "confirm": "1"}
    )
    assert refused.status == 403  # no CSRF token
    assert residents_with(console, NIK) == 1

    status, done = await post(console, "/admin/privasi/hapus", by="nik", value=NIK, confirm="1")
    assert status == 200 and 'id="hasil"' in done and receipt.number in done
    assert residents_with(console, NIK) == 0
    entries = await console.staff.audit.entries(admin, limit=10)
    assert (entries[0]["actor"], entries[0]["action"]) == (admin.actor, "resident.erased")

    status, unknown = await post(console, "/admin/privasi/hapus", by="nik", value=NIK, confirm="1")
    assert status == 404 and "Tidak ada data warga" in unknown
    status, _ = await post(console, "/admin/privasi/hapus", by="phone", value="12", confirm="1")
    assert status == 422


async def test_only_admins_reach_the_page(console) -> None:
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Bandar Lampung")
    assert await console.login("petugas") == 302
    assert (await console.client.get("/admin/privasi")).status == 403
    queue = await (await console.client.get("/antrean")).text()
    assert "/admin/privasi" not in queue
    token = await console.csrf("/antrean")
    response = await console.client.post(
        "/admin/privasi/hapus",
        data={"csrf_token": token, "by": "phone", "value": "081234567890", "confirm": "1"},
    )
    assert response.status == 403
