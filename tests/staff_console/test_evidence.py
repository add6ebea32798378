"""Finishing a complaint (selesai) needs a note of what was done and takes a photo of the
result: the form's upload and the API's base64 ``photo``, checked by their bytes."""

from __future__ import annotations

import base64

from aiohttp import FormData

from bot.domain.staff import Role
from tests.auxil.fake_whatsapp import JPEG, SVG
from tests.auxil.staff import PASSWORD, complaint

STEPS = ("diverifikasi", "diteruskan", "diproses")


async def underway(console, account: str) -> str:
    """A complaint one step from selesai, and an officer of its area logged in (and a token)."""
    number = await complaint(console.staff.tabik, account=account, desa="Hajimena")
    officer = await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    for status in STEPS:
        await console.staff.desk.change_status(officer, number, to=status, note=None)
    return number


async def test_the_api_refuses_selesai_without_a_note_and_keeps_the_photo_with_one(console):
    number = await underway(console, "6281200000041")
    headers = await console.token("petugas")
    path = f"/api/tickets/{number}/status"

    bare = await console.client.post(path, json={"status": "selesai"}, headers=headers)
    assert bare.status == 422
    assert "catatan" in (await bare.json())["error"]
    svg = base64.b64encode(SVG).decode()
    refused = await console.client.post(
        path, json={"status": "selesai", "note": "Sudah", "photo": svg}, headers=headers
    )
    assert refused.status == 422
    assert "JPEG atau PNG" in (await refused.json())["error"]

    photo = base64.b64encode(JPEG).decode()
    done = await console.client.post(
        path,
        json={"status": "selesai", "note": "Lubang sudah ditambal", "photo": photo},
        headers=headers,
    )
    assert done.status == 200, await done.text()
    page = await done.json()
    assert page["status"] == "selesai"
    [attachment] = page["attachments"]
    assert attachment["added_by"] == "staff:petugas"
    assert attachment["mime_type"] == "image/jpeg"
    # The notice, then the photo before the rating question, in one reply.
    notice, follow = console.messenger.sent[-2], console.messenger.sent[-1]
    assert "Lubang sudah ditambal" in notice[1][0]["text"]
    photo_message, question = follow[1]
    assert photo_message["custom"]["photo"]["mime_type"] == "image/jpeg"
    assert photo_message["custom"]["photo"]["ref"].startswith("staff:")
    assert f"Bagaimana penanganan laporan {number}?" in question["text"]
    served = await console.client.get(
        f"/tiket/{number}/lampiran/{attachment['id']}", headers=headers
    )
    assert served.status in (200, 302, 401)  # the page needs the cookie; the row exists


async def test_the_form_needs_a_note_and_keeps_the_uploaded_photo(console):
    number = await underway(console, "6281200000042")
    assert await console.login("petugas", PASSWORD) == 302
    ticket_page = await (await console.client.get(f"/tiket/{number}")).text()
    assert 'enctype="multipart/form-data"' in ticket_page
    assert 'name="photo"' in ticket_page
    token = await console.csrf(f"/tiket/{number}")

    bare = await console.client.post(
        f"/tiket/{number}/status", data={"csrf_token": token, "status": "selesai"}
    )
    assert bare.status == 422
    assert "Tulis apa yang sudah dikerjakan" in await bare.text()

    form = FormData()
    form.add_field("csrf_token", token)
    form.add_field("status", "selesai")
    form.add_field("note", "Lubang sudah ditambal")
    form.add_field("photo", JPEG, filename="hasil.jpg", content_type="image/jpeg")
    done = await console.client.post(f"/tiket/{number}/status", data=form)
    assert done.status == 200
    page = await done.text()
    assert "Foto hasil" in page and "staff:petugas" in page
    link = page.split(f'href="/tiket/{number}/lampiran/')[1].split('"')[0]
    photo = await console.client.get(f"/tiket/{number}/lampiran/{link}")
    assert photo.status == 200
    assert await photo.read() == JPEG
