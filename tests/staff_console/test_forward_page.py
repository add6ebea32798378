"""The ticket page's forward form: choices, CSRF, refusals and the history it leaves."""

from __future__ import annotations

from bot.domain.staff import Role
from tests.auxil.staff import complaint


async def test_forwarding_from_the_ticket_page_shows_from_to_who_and_why(console):
    resident = "6281200000021"
    number = await complaint(console.staff.tabik, account=resident, desa="Hajimena")
    with console.staff.desk.uow_factory() as uow:
        uow.tickets.get(number).agency_code = "DLH-1801"
        uow.commit()
    await console.account("provinsi", Role.OFFICER)
    assert await console.login("provinsi") == 302

    page = await (await console.client.get(f"/tiket/{number}")).text()
    assert 'action="/tiket/' + number + '/teruskan"' in page
    assert '<option value="DLH-1801">Dinas Lingkungan Hidup Kabupaten Lampung Selatan' in page
    assert '<option value="PUSAT">' in page

    token = await console.csrf(f"/tiket/{number}")
    forged = await console.client.post(
        f"/tiket/{number}/teruskan",
        data={"agency": "PU-1801", "reason": "disposisi", "csrf_token": "forged"},
    )
    refused = await console.client.post(
        f"/tiket/{number}/teruskan",
        data={"agency": "DLH-1801", "reason": "disposisi", "csrf_token": token},
    )
    moved = await console.client.post(
        f"/tiket/{number}/teruskan",
        data={
            "agency": "PU-1801",
            "reason": "disposisi",
            "note": "Jalan kabupaten",
            "csrf_token": token,
        },
    )

    assert forged.status == 403
    assert refused.status == 422
    assert "Tiket sudah ditangani DLH-1801" in await refused.text()
    assert moved.status == 200
    text = await moved.text()
    assert "Tiket diteruskan." in text
    assert "(DLH-1801) ke " in text and "(PU-1801) (disposisi) oleh staff:provinsi" in text
    assert "Jalan kabupaten" in text
    assert "kini ditangani oleh" in console.messenger.texts_to(resident)[-1]


async def test_an_area_officer_without_an_agency_has_no_forward_form(console):
    number = await complaint(console.staff.tabik, account="6281200000022", desa="Hajimena")
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    assert await console.login("petugas") == 302

    page = await (await console.client.get(f"/tiket/{number}")).text()

    assert "/teruskan" not in page


async def test_an_agency_officer_forwarding_sees_it_leave_the_queue(console):
    number = await complaint(console.staff.tabik, account="6281200000031", desa="Hajimena")
    with console.staff.desk.uow_factory() as uow:
        uow.tickets.get(number).agency_code = "DLH-1801"
        uow.commit()
    await console.account("dlh", Role.OFFICER, agency_code="DLH-1801")
    assert await console.login("dlh") == 302
    assert number in await (await console.client.get("/antrean")).text()

    token = await console.csrf(f"/tiket/{number}")
    moved = await console.client.post(
        f"/tiket/{number}/teruskan",
        data={"agency": "PU-1801", "reason": "bukan_wewenang", "csrf_token": token},
    )

    assert moved.status == 200 and moved.url.path == "/antrean"
    text = await moved.text()
    assert f"Tiket {number} diteruskan dan tidak lagi ada di antrean Anda." in text
    assert f'href="/tiket/{number}"' not in text
    assert (await console.client.get(f"/tiket/{number}")).status == 404
