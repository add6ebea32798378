"""The pages: login, lockout, CSRF, the queue and a status change."""

from __future__ import annotations

from bot.domain.staff import Role
from tests.auxil.staff import PASSWORD, complaint

HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


async def test_pages_need_a_login(console):
    response = await console.client.get("/antrean", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/login"
    assert (await console.client.get("/health")).status == 200


async def test_session_cookie_is_httponly_and_samesite(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    token = await console.csrf()
    response = await console.client.post(
        "/login",
        data={"username": "hajimena", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 302
    cookie = response.cookies["tabik_console"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


async def test_a_form_without_its_csrf_token_is_403(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    await console.client.get("/login")
    response = await console.client.post(
        "/login", data={"username": "hajimena", "password": PASSWORD}
    )
    assert response.status == 403
    assert await console.login("hajimena") == 302
    number = await complaint(console.staff.tabik, account="6281200000010", desa="Hajimena")
    forged = await console.client.post(
        f"/tiket/{number}/status", data={"status": "diverifikasi", "csrf_token": "forged"}
    )
    assert forged.status == 403


async def test_repeated_wrong_passwords_answer_429(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    statuses = [await console.login("hajimena", "salah-sekali-ini") for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert await console.login("hajimena") == 429


async def test_queue_and_status_change_through_the_pages(console):
    mine = await complaint(console.staff.tabik, account="6281200000011", desa="Hajimena")
    other = await complaint(console.staff.tabik, account="6281200000012", desa="Merak Batin")
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    assert await console.login("hajimena") == 302

    queue = await (await console.client.get("/antrean")).text()
    assert mine in queue and other not in queue
    assert (await console.client.get(f"/tiket/{other}")).status == 404
    token = await console.csrf(f"/tiket/{mine}")
    refused = await console.client.post(
        f"/tiket/{mine}/status", data={"status": "ditolak", "note": "", "csrf_token": token}
    )
    assert refused.status == 422
    assert "alasan" in await refused.text()
    changed = await console.client.post(
        f"/tiket/{mine}/status", data={"status": "diverifikasi", "csrf_token": token}
    )
    assert changed.status == 200
    assert "Status diubah" in await changed.text()


async def test_photos_are_served_only_to_staff_who_may_see_the_ticket(console, tmp_path):
    from bot.domain.identity import ChatIdentity
    from bot.services.views import Attachment, ComplaintDraft

    receipt = await console.staff.tabik.file_complaint(
        ComplaintDraft(
            category="jalan",
            description="Jalan berlubang",
            kabupaten_kota="Lampung Selatan",
            kecamatan="Natar",
            desa="Hajimena",
            attachments=(Attachment(kind="photo", ref="wa:998877", mime_type="image/jpeg"),),
        ),
        identity=ChatIdentity(channel="whatsapp", account="6281200000020"),
    )
    media = tmp_path / "media"
    media.mkdir()
    (media / "wa_998877").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    page = await console.staff.desk.ticket(
        await console.account("admin", Role.ADMIN), receipt.number
    )
    photo = f"/tiket/{receipt.number}/lampiran/{page.attachments[0]['id']}"

    assert (await console.client.get(photo, allow_redirects=False)).status == 302  # no login
    await console.account("merak", Role.VILLAGE, kabupaten_kota="Lampung Selatan",
                          kecamatan="Natar", desa="Merak Batin")  # fmt: skip
    assert await console.login("merak") == 302
    assert (await console.client.get(photo)).status == 404
    await console.client.post("/logout", data={"csrf_token": await console.csrf("/antrean")})
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    assert await console.login("hajimena") == 302
    response = await console.client.get(photo)
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert await response.read() == b"\xff\xd8\xff\xe0 jpeg"

    # A file that is no JPEG/PNG/WebP under the photo's name is never served.
    (media / "wa_998877").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert (await console.client.get(photo)).status == 404
    (media / "wa_998877").unlink()
    assert (await console.client.get(photo)).status == 404  # and none is fetched
