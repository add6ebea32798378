"""The JSON API: bearer tokens, areas, lifecycle refusals, filing, handoffs, audit."""

from __future__ import annotations

from bot.domain.identity import ChatIdentity
from bot.domain.staff import Role
from tests.auxil.staff import complaint, resident_says

HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


async def test_missing_or_wrong_token_is_401(console):
    response = await console.client.get("/api/tickets")
    assert response.status == 401
    assert "error" in await response.json()
    wrong = await console.client.get("/api/tickets", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401


async def test_a_village_user_sees_only_its_desa_and_others_are_404(console):
    mine = await complaint(console.staff.tabik, account="6281200000001", desa="Hajimena")
    other = await complaint(console.staff.tabik, account="6281200000002", desa="Merak Batin")
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    headers = await console.token("hajimena")

    listed = await (await console.client.get("/api/tickets", headers=headers)).json()
    assert [t["number"] for t in listed["tickets"]] == [mine]
    assert set(listed["tickets"][0]) == {
        "number", "kind", "status", "category", "document_type",
        "kabupaten_kota", "kecamatan", "desa", "created_at", "sla", "agency", "escalated_to",
    }  # fmt: skip
    assert listed["tickets"][0]["agency"] == {
        "code": "PU-1801", "name": "Dinas Pekerjaan Umum Kabupaten Lampung Selatan",
    }  # fmt: skip
    assert (await console.client.get(f"/api/tickets/{other}", headers=headers)).status == 404
    unknown = await console.client.get("/api/tickets/ADU-261201-ZZZZ", headers=headers)
    assert unknown.status == 404
    assert await unknown.json() == {"error": "Tidak ditemukan."}
    details = await (await console.client.get(f"/api/tickets/{mine}", headers=headers)).json()
    assert details["resident"]["name"] == "Siti Aminah"
    assert details["history"][0]["to"] == "diterima"


async def test_status_changes_409_422_and_200(console):
    number = await complaint(console.staff.tabik, account="6281200000003", desa="Hajimena")
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    headers = await console.token("petugas")
    path = f"/api/tickets/{number}/status"

    forbidden = await console.client.post(path, json={"status": "selesai"}, headers=headers)
    assert forbidden.status == 409
    assert "diverifikasi" in (await forbidden.json())["error"]
    no_reason = await console.client.post(path, json={"status": "ditolak"}, headers=headers)
    assert no_reason.status == 422
    done = await console.client.post(
        path, json={"status": "diverifikasi", "note": "Sudah dicek"}, headers=headers
    )
    assert done.status == 200
    assert (await done.json())["status"] == "diverifikasi"


async def test_filing_on_behalf_returns_the_number_and_the_phone_hears_it(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    headers = await console.token("hajimena")
    response = await console.client.post(
        "/api/tickets",
        json={
            "kind": "complaint",
            "resident": {"name": "Pak Darto", "phone": "081277771234", "nik": None},
            "category": "jalan",
            "description": "Jalan berlubang",
        },
        headers=headers,
    )
    assert response.status == 201
    number = (await response.json())["number"]
    assert number.startswith("ADU-")
    assert any(number in text for text in console.messenger.texts_to("6281277771234"))
    bad = await console.client.post(
        "/api/tickets",
        json={
            "kind": "application",
            "resident": {"name": "X", "nik": "123"},
            "document_type": "kk",
        },
        headers=headers,
    )
    assert bad.status == 422


async def test_handoffs_list_reply_close(console):
    resident = ChatIdentity(channel="whatsapp", account="6281200000009")
    await complaint(console.staff.tabik, account=resident.account, desa="Hajimena")
    opened = await console.staff.handoffs.open(identity=resident, reason="tolong", transcript=[])
    await resident_says(console.staff.handoffs, resident, opened.reference, "Halo, ada petugas?")
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    headers = await console.token("petugas")

    listed = await (await console.client.get("/api/handoffs?state=open", headers=headers)).json()
    [entry] = [h for h in listed["handoffs"] if h["reference"] == opened.reference]
    assert entry["sender"] == "wa:6281200000009"
    assert entry["messages"][0]["from"] == "resident"
    assert entry["messages"][0]["text"] == "Halo, ada petugas?"
    reply = await console.client.post(
        f"/api/handoffs/{opened.reference}/reply",
        json={"text": "Ya, saya di sini."},
        headers=headers,
    )
    assert reply.status == 200
    assert console.messenger.texts_to(resident.account) == ["Petugas: Ya, saya di sini."]
    close = await console.client.post(f"/api/handoffs/{opened.reference}/close", headers=headers)
    assert close.status == 200
    assert console.conversations.resumed == [resident.sender_id]


async def test_closing_while_rasa_is_down_answers_503_and_stays_open(console):
    resident = ChatIdentity(channel="whatsapp", account="6281200000010")
    opened = await console.staff.handoffs.open(identity=resident, reason="tolong", transcript=[])
    await console.account("petugas", Role.OFFICER)
    headers = await console.token("petugas")
    console.conversations.fail = True
    close = await console.client.post(f"/api/handoffs/{opened.reference}/close", headers=headers)
    assert close.status == 503
    assert "tetap terbuka" in (await close.json())["error"]
    listed = await (await console.client.get("/api/handoffs?state=open", headers=headers)).json()
    assert opened.reference in {h["reference"] for h in listed["handoffs"]}


async def test_only_admins_read_the_audit(console):
    await console.account("petugas", Role.OFFICER)
    await console.account("admin", Role.ADMIN)
    refused = await console.client.get("/api/audit", headers=await console.token("petugas"))
    assert refused.status == 403
    admin = await console.client.get("/api/audit?limit=5", headers=await console.token("admin"))
    entries = (await admin.json())["entries"]
    assert entries and set(entries[0]) == {"at", "actor", "action", "ticket"}
