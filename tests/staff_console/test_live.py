"""Live pages: the event stream shows new tickets and handoff messages, only in scope."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse

from bot.domain.identity import ChatIdentity
from bot.domain.staff import Role
from console.live import LIVE
from tests.auxil.staff import PASSWORD, complaint, resident_says

HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


async def next_event(stream: ClientResponse, name: str, timeout: float = 5.0) -> dict[str, Any]:
    """The data of the next ``name`` event on ``stream`` (TimeoutError when none comes,
    EOFError when the stream ended first)."""

    async def read() -> dict[str, Any]:
        event = None
        while True:
            raw = await stream.content.readline()
            if not raw:
                raise EOFError(name)
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: ") and event == name:
                return json.loads(line[len("data: ") :])  # type: ignore[no-any-return]

    return await asyncio.wait_for(read(), timeout)


async def logged_in(console, username: str, role: Role, **area: str) -> None:
    await console.account(username, role, **area)
    assert await console.login(username, PASSWORD) == 302


async def test_a_new_ticket_appears_in_the_open_queue_and_not_outside_its_scope(console):
    await logged_in(console, "hajimena", Role.VILLAGE, **HAJIMENA)
    stream = await console.client.get("/langsung/antrean")
    assert stream.status == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")

    elsewhere = await complaint(console.staff.tabik, account="6281200000031", desa="Merak Batin")
    mine = await complaint(console.staff.tabik, account="6281200000032", desa="Hajimena")
    row = await next_event(stream, "ticket")
    assert row["number"] == mine
    assert f'href="/tiket/{mine}"' in row["html"]
    assert elsewhere not in json.dumps(row)
    count = await next_event(stream, "count")
    assert count == {"new": 1, "escalated": 0}
    stream.close()


async def test_a_ticket_of_another_area_never_reaches_the_stream(console):
    await logged_in(console, "hajimena", Role.VILLAGE, **HAJIMENA)
    stream = await console.client.get("/langsung/antrean")
    await complaint(console.staff.tabik, account="6281200000033", desa="Merak Batin")
    try:
        leaked = await next_event(stream, "ticket", timeout=3.0)
    except asyncio.TimeoutError:
        leaked = None
    assert leaked is None
    stream.close()


async def test_a_residents_handoff_message_appears_on_the_open_page(console):
    resident = ChatIdentity(channel="whatsapp", account="6281200000034")
    await complaint(console.staff.tabik, account=resident.account, desa="Hajimena")
    opened = await console.staff.handoffs.open(identity=resident, reason="tolong", transcript=[])
    await resident_says(console.staff.handoffs, resident, opened.reference, "Halo?")
    await logged_in(console, "petugas", Role.OFFICER, kabupaten_kota="Lampung Selatan")
    page = await (await console.client.get(f"/percakapan/{opened.reference}")).text()
    assert f'data-live="/langsung/percakapan/{opened.reference}?shown=1"' in page
    assert '<script src="/static/live.js" defer></script>' in page

    stream = await console.client.get(f"/langsung/percakapan/{opened.reference}?shown=1")
    await resident_says(console.staff.handoffs, resident, opened.reference, "Jalan masih rusak")
    message = await next_event(stream, "message", timeout=3.0)
    assert "Jalan masih rusak" in message["html"] and "Warga" in message["html"]
    stream.close()


async def test_another_areas_officer_cannot_open_the_handoff_stream(console):
    resident = ChatIdentity(channel="whatsapp", account="6281200000035")
    await complaint(console.staff.tabik, account=resident.account, desa="Hajimena")
    opened = await console.staff.handoffs.open(identity=resident, reason="tolong", transcript=[])
    await logged_in(console, "metro", Role.OFFICER, kabupaten_kota="Metro")
    stream = await console.client.get(f"/langsung/percakapan/{opened.reference}")
    # Refused before anything is sent: the same 404 as the page.
    assert stream.status == 404
    assert "text/event-stream" not in stream.headers["Content-Type"]


async def test_streams_need_a_session_and_are_limited_per_user(console):
    assert (await console.client.get("/langsung/antrean")).status == 401
    await logged_in(console, "hajimena", Role.VILLAGE, **HAJIMENA)
    limits = console.client.app[LIVE].limits
    limits.per_user = 2
    streams = [await console.client.get("/langsung/antrean") for _ in range(2)]
    assert [s.status for s in streams] == [200, 200]
    refused = await console.client.get("/langsung/antrean")
    assert refused.status == 429
    assert "Retry-After" in refused.headers
    for stream in streams:
        stream.close()
    # A stream the browser left is let go within a second or two.
    for _ in range(30):
        if not limits.count(1) and not limits._open:
            break
        await asyncio.sleep(0.1)
    assert not limits._open


async def test_logout_ends_the_stream(console):
    await logged_in(console, "hajimena", Role.VILLAGE, **HAJIMENA)
    stream = await console.client.get("/langsung/antrean")
    page = await (await console.client.get("/antrean")).text()
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    await console.client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert await next_event(stream, "ended", timeout=15.0) == {}
