"""A NIK known under another chat account: the ticket is flagged to staff, nothing merged."""

from __future__ import annotations

from bot.domain.identity import ChatIdentity
from bot.domain.staff import Role
from bot.services.views import ApplicationDraft

NIK = "1871015508900001"


def draft(name: str, phone: str) -> ApplicationDraft:
    return ApplicationDraft(
        document_type="kk",
        nik=NIK,
        full_name=name,
        kabupaten_kota="Bandar Lampung",
        phone_number=phone,
    )


async def test_the_second_account_is_flagged_and_shows_only_its_own_details(console):
    tabik = console.staff.tabik
    first = await tabik.apply_for_document(
        draft("Siti Aminah", "081234567890"),
        identity=ChatIdentity(channel="whatsapp", account="6281234567890"),
    )
    second = await tabik.apply_for_document(
        draft("Rudi Hartono", "085799887766"),
        identity=ChatIdentity(channel="telegram", account="555000111"),
    )
    await console.account("admin", Role.ADMIN)
    headers = await console.token("admin")

    flagged = await (
        await console.client.get(f"/api/tickets/{second.number}", headers=headers)
    ).json()
    assert flagged["nik_known_elsewhere"] is True
    assert flagged["resident"] == {
        "name": "Rudi Hartono",
        "nik": "1871********0001",
        "phone": "085799887766",
    }
    original = await (
        await console.client.get(f"/api/tickets/{first.number}", headers=headers)
    ).json()
    assert original["nik_known_elsewhere"] is False
    assert original["resident"]["name"] == "Siti Aminah"

    assert await console.login("admin") == 302
    page = await (await console.client.get(f"/tiket/{second.number}")).text()
    assert 'id="nik-known-elsewhere"' in page
    assert "Siti Aminah" not in page and "081234567890" not in page
    plain = await (await console.client.get(f"/tiket/{first.number}")).text()
    assert 'id="nik-known-elsewhere"' not in plain
