"""The ticket page shows the resident's rating: stars, the number, when, and the reason."""

from __future__ import annotations

from bot.domain.identity import ChatIdentity
from bot.domain.staff import Role
from tests.auxil.staff import complaint

HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


async def test_a_rated_ticket_shows_stars_and_the_reason(console):
    account = "6281200000077"
    number = await complaint(console.staff.tabik, account=account, desa="Hajimena")
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    assert await console.login("hajimena") == 302
    before = await (await console.client.get(f"/tiket/{number}")).text()
    assert "Penilaian warga" not in before

    officer = await console.staff.accounts.add(
        "petugas",
        role=Role.OFFICER,
        password="kata-sandi-panjang",
        kabupaten_kota="Lampung Selatan",
    )
    for status in ("diverifikasi", "diteruskan", "diproses", "selesai"):
        await console.staff.desk.change_status(
            officer, number, to=status, note="Sudah diperbaiki" if status == "selesai" else None
        )
    resident = ChatIdentity(channel="whatsapp", account=account)
    assert await console.staff.tabik.request_rating(number, identity=resident)
    await console.staff.tabik.rate_ticket(number, 4, identity=resident)
    await console.staff.tabik.explain_rating(number, "Cepat & ramah", identity=resident)

    page = await (await console.client.get(f"/tiket/{number}")).text()
    assert "Penilaian warga" in page
    assert "★★★★☆" in page
    assert "4 dari 5" in page
    assert "Alasan: Cepat &amp; ramah" in page  # escaped, as every resident text
