"""The JSON API (``Authorization: Bearer``); the same service calls as the pages.

Errors are ``{"error": TEXT}``: 401 without a valid token (middleware), 403 for a
non-admin reading the audit log, 404 outside the user's area, 409 for a
transition the lifecycle forbids, 422 for bad input.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.domain.errors import (
    InvalidDraft,
    InvalidNik,
    InvalidTicketNumber,
    InvalidTransition,
    NotAuthorised,
    RejectionNeedsReason,
    TicketNotFound,
)
from bot.domain.staff import StaffAccount
from bot.services.handoff_desk import HandoffNotFound
from bot.services.messaging import MessageNotSent
from bot.services.staff_desk import Filing, QueueQuery
from console.app import USER, json_error, services
from console.errors import field_error, transition_sentence

NOT_FOUND = "Tidak ditemukan."


def _user(request: web.Request) -> StaffAccount:
    return request[USER]  # type: ignore[no-any-return]


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise web.HTTPUnprocessableEntity(
            text=json.dumps({"error": "Badan permintaan harus JSON."}),
            content_type="application/json",
        ) from error
    if not isinstance(body, dict):
        raise web.HTTPUnprocessableEntity(
            text=json.dumps({"error": "Badan permintaan harus objek JSON."}),
            content_type="application/json",
        )
    return body


async def tickets(request: web.Request) -> web.Response:
    query = QueueQuery(
        status=request.query.get("status") or None,
        kind=request.query.get("kind") or None,
        category=request.query.get("category") or None,
        age=request.query.get("age") or None,
        q=request.query.get("q") or None,
    )
    try:
        items = await services(request).desk.queue(_user(request), query)
    except ValueError:
        return json_error(422, "Status tidak dikenal.")
    return web.json_response({"tickets": [i.as_json() for i in items]})


async def ticket(request: web.Request) -> web.Response:
    try:
        page = await services(request).desk.ticket(_user(request), request.match_info["number"])
    except (TicketNotFound, InvalidTicketNumber):
        return json_error(404, NOT_FOUND)
    return web.json_response(page.as_json())


async def change_status(request: web.Request) -> web.Response:
    body = await _body(request)
    note = body.get("note")
    try:
        page = await services(request).desk.change_status(
            _user(request),
            request.match_info["number"],
            to=str(body.get("status") or ""),
            note=str(note) if note is not None else None,
        )
    except (TicketNotFound, InvalidTicketNumber):
        return json_error(404, NOT_FOUND)
    except InvalidTransition as error:
        return json_error(409, transition_sentence(error))
    except RejectionNeedsReason:
        return json_error(422, "Status ditolak memerlukan catatan alasan.")
    except ValueError:
        return json_error(422, "Status tidak dikenal.")
    return web.json_response(page.as_json())


async def file_ticket(request: web.Request) -> web.Response:
    body = await _body(request)
    raw_resident = body.get("resident")
    resident: dict[str, Any] = raw_resident if isinstance(raw_resident, dict) else {}
    kind = str(body.get("kind") or "")

    def text(mapping: dict[str, Any], key: str) -> str | None:
        value = mapping.get(key)
        return str(value) if value not in (None, "") else None

    filing = Filing(
        kind=kind,
        name=text(resident, "name") or "",
        phone=text(resident, "phone"),
        nik=text(resident, "nik"),
        category=text(body, "category"),
        document_type=text(body, "document_type"),
        kabupaten_kota=text(body, "kabupaten_kota"),
        kecamatan=text(body, "kecamatan"),
        desa=text(body, "desa"),
        description=text(body, "description"),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    try:
        number = await services(request).desk.file_on_behalf(_user(request), filing)
    except InvalidNik:
        return json_error(422, field_error("nik", kind)["text"])
    except InvalidDraft as error:
        return json_error(422, field_error(error.field, kind)["text"])
    return web.json_response({"number": number}, status=201)


async def handoffs(request: web.Request) -> web.Response:
    state = request.query.get("state") or None
    if state not in (None, "open", "closed"):
        return json_error(422, "state harus open atau closed.")
    found = await services(request).handoffs.handoffs(_user(request), state=state)
    return web.json_response({"handoffs": [h.as_json() for h in found]})


async def reply(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        view = await services(request).handoffs.reply(
            _user(request), request.match_info["reference"], str(body.get("text") or "")
        )
    except HandoffNotFound:
        return json_error(404, NOT_FOUND)
    except InvalidDraft:
        return json_error(422, "Tulis balasan (paling banyak 2000 huruf).")
    except MessageNotSent:
        return json_error(502, "Balasan tersimpan tetapi belum terkirim ke warga.")
    return web.json_response(view.as_json())


async def close(request: web.Request) -> web.Response:
    try:
        view = await services(request).handoffs.close(
            _user(request), request.match_info["reference"]
        )
    except HandoffNotFound:
        return json_error(404, NOT_FOUND)
    return web.json_response(view.as_json())


async def audit(request: web.Request) -> web.Response:
    try:
        limit = int(request.query.get("limit") or 100)
    except ValueError:
        return json_error(422, "limit harus angka.")
    try:
        entries = await services(request).audit.entries(_user(request), limit=limit)
    except NotAuthorised:
        return json_error(403, "Log audit hanya untuk admin.")
    return web.json_response({"entries": entries})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/tickets", tickets)
    app.router.add_post("/api/tickets", file_ticket)
    app.router.add_get("/api/tickets/{number}", ticket)
    app.router.add_post("/api/tickets/{number}/status", change_status)
    app.router.add_get("/api/handoffs", handoffs)
    app.router.add_post("/api/handoffs/{reference}/reply", reply)
    app.router.add_post("/api/handoffs/{reference}/close", close)
    app.router.add_get("/api/audit", audit)
