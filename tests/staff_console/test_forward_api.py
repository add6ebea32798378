"""The JSON API's forward between agencies, and filings received earlier (received_at)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.staff import Role
from tests.auxil.staff import complaint

HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


def hold(console, number: str, agency: str) -> None:
    with console.staff.desk.uow_factory() as uow:
        uow.tickets.get(number).agency_code = agency
        uow.commit()


async def test_forward_200_with_the_ticket_422_naming_the_problem_404_outside(console):
    resident = "6281200000011"
    number = await complaint(console.staff.tabik, account=resident, desa="Hajimena")
    hold(console, number, "DLH-1801")
    await console.account("provinsi", Role.OFFICER)
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    province, area_officer = await console.token("provinsi"), await console.token("petugas")
    path = f"/api/tickets/{number}/forward"

    unknown = await console.client.post(
        path, json={"agency": "DLH-9999", "reason": "disposisi"}, headers=province
    )
    same = await console.client.post(
        path, json={"agency": "DLH-1801", "reason": "disposisi"}, headers=province
    )
    outside = await console.client.post(
        path, json={"agency": "DLH-1871", "reason": "disposisi"}, headers=area_officer
    )
    moved = await console.client.post(
        path,
        json={"agency": "DLH-1871", "reason": "delegasi", "note": "Di kota"},
        headers=province,
    )

    assert unknown.status == 422
    assert await unknown.json() == {"error": "Instansi DLH-9999 tidak dikenal."}
    assert same.status == 422
    assert "DLH-1801" in (await same.json())["error"]
    assert outside.status == 404
    assert moved.status == 200
    body = await moved.json()
    assert body["number"] == number
    assert "DLH-1871" in body["history"][-1]["note"]
    assert console.messenger.texts_to(resident)[-1].endswith(
        "kini ditangani oleh Dinas Lingkungan Hidup Kota Bandar Lampung."
    )


async def test_received_at_is_stored_and_the_service_level_counts_from_it(console):
    await console.account("hajimena", Role.VILLAGE, **HAJIMENA)
    headers = await console.token("hajimena")

    def filing(received_at: str) -> dict[str, object]:
        return {
            "kind": "complaint",
            "resident": {"name": "Pak Darto"},
            "category": "jalan",
            "description": "Jalan berlubang",
            "received_at": received_at,
        }

    now = console.clock()
    wib = (now - timedelta(days=10)) + timedelta(hours=7)
    naive_wib = wib.replace(tzinfo=None).isoformat()
    response = await console.client.post("/api/tickets", json=filing(naive_wib), headers=headers)
    assert response.status == 201, await response.text()
    number = (await response.json())["number"]

    with console.staff.desk.uow_factory() as uow:
        assert uow.tickets.get(number).received_at == now - timedelta(days=10)
    listed = await (await console.client.get("/api/tickets", headers=headers)).json()
    assert [t["sla"] for t in listed["tickets"] if t["number"] == number] == ["overdue"]

    for bad in (
        (now + timedelta(hours=1)).isoformat(),
        (now - timedelta(days=91)).isoformat(),
        "kemarin",
    ):
        refused = await console.client.post("/api/tickets", json=filing(bad), headers=headers)
        assert refused.status == 422
        assert "received_at" in (await refused.json())["error"]
    zoned = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert (
        await console.client.post("/api/tickets", json=filing(zoned), headers=headers)
    ).status == 201
