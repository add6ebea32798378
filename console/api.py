"""The JSON API (``Authorization: Bearer``); the same service calls as the pages.

Errors are ``{"error": TEXT}``: 401 without a valid token, 404 outside the user's
area (both answered by :mod:`console.middleware`; also figures filtered outside it),
403 for a non-admin reading the audit log, 409 for a transition the lifecycle forbids,
422 for bad input.
``/api/public/stats`` needs no token: the public monthly figures, small cells left out.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from aiohttp import web

from bot.domain.errors import (
    CompletionNeedsNote,
    InvalidDraft,
    InvalidNik,
    InvalidTransition,
    NotAuthorised,
    RejectionNeedsReason,
)
from bot.domain.figures import StaffFigures
from bot.domain.figures_csv import figures_csv
from bot.domain.routing import ForwardRefused
from bot.domain.staff import StaffAccount
from bot.services.desk_filing import received_at_of
from bot.services.figures import OutsideScope
from bot.services.handoff_desk import BotNotResumed
from bot.services.messaging import MessageNotSent
from bot.services.staff_desk import Filing
from console.admin_agencies import agencies_of
from console.errors import NOT_FOUND_ERRORS, field_error, transition_sentence
from console.evidence import BadPhoto, decode_photo, kept_photo
from console.parts import USER
from console.request_context import (
    csv_response,
    figure_desk,
    json_error,
    queue_query,
    services,
)


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


routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]
# An exception class (or a tuple of them) → the status and the words (or how to word it).
Refusals = dict[Any, tuple[int, "str | Callable[[Any], str]"]]


def refusing(refusals: Refusals) -> Callable[[Handler], Handler]:
    """The handler's refusals as a table: each exception answers ``{"error"}`` with its status.

    The first matching row wins, so a subclass is listed before its base."""

    caught = tuple(c for key in refusals for c in (key if isinstance(key, tuple) else (key,)))

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def answer(request: web.Request) -> web.Response:
            try:
                return await handler(request)
            except NOT_FOUND_ERRORS:
                raise  # the middleware's 404 (a malformed number is a ValueError too)
            except caught as error:
                status, words = next(v for k, v in refusals.items() if isinstance(error, k))
                return json_error(status, words if isinstance(words, str) else words(error))

        return answer

    return decorate


@routes.get("/api/tickets")
@refusing({ValueError: (422, "Status tidak dikenal.")})
async def tickets(request: web.Request) -> web.Response:
    items = await services(request).desk.queue(_user(request), queue_query(request.query))
    return web.json_response({"tickets": [i.as_json() for i in items]})


@routes.get("/api/tickets/{number}")
async def ticket(request: web.Request) -> web.Response:
    page = await services(request).desk.ticket(_user(request), request.match_info["number"])
    return web.json_response(page.as_json())


@routes.post("/api/tickets/{number}/status")
@refusing(
    {
        InvalidTransition: (409, transition_sentence),
        RejectionNeedsReason: (422, "Status ditolak memerlukan catatan alasan."),
        CompletionNeedsNote: (422, "Status selesai memerlukan catatan hasil pekerjaan."),
        BadPhoto: (422, lambda error: str(error.text)),
        ValueError: (422, "Status tidak dikenal."),
    }
)
async def change_status(request: web.Request) -> web.Response:
    """The body may carry ``photo``: the result's JPEG or PNG, base64 (docs/console.md)."""
    body = await _body(request)
    note, to = body.get("note"), str(body.get("status") or "")
    photo_body = decode_photo(body.get("photo")) if to == "selesai" else None
    async with kept_photo(request, photo_body) as photo:
        page = await services(request).desk.change_status(
            _user(request),
            request.match_info["number"],
            to=to,
            note=str(note) if note is not None else None,
            photo=photo,
        )
    return web.json_response(page.as_json())


@routes.post("/api/tickets/{number}/forward")
async def forward(request: web.Request) -> web.Response:
    body = await _body(request)
    note = body.get("note")
    disposition = services(request).disposition
    try:
        page = await disposition.forward(
            _user(request),
            request.match_info["number"],
            str(body.get("agency") or ""),
            str(body.get("reason") or ""),
            str(note) if note is not None else None,
        )
    except ForwardRefused as error:
        return json_error(422, disposition.refusal(error))
    return web.json_response(page.as_json())


@routes.post("/api/tickets")
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
        received = text(body, "received_at")
        if received is not None:
            filing = replace(filing, received_at=received_at_of(received))
        number = await services(request).desk.file_on_behalf(_user(request), filing)
    except InvalidNik:
        return json_error(422, field_error("nik", kind)["text"])
    except InvalidDraft as error:
        return json_error(422, field_error(error.field, kind)["text"])
    return web.json_response({"number": number}, status=201)


@routes.get("/api/agencies")
async def agencies(request: web.Request) -> web.Response:
    _, found = await agencies_of(request).search(request.query.get("q") or "")
    return web.json_response({"agencies": found})


@routes.get("/api/handoffs")
async def handoffs(request: web.Request) -> web.Response:
    state = request.query.get("state") or None
    if state not in (None, "open", "closed"):
        return json_error(422, "state harus open atau closed.")
    found = await services(request).handoffs.handoffs(_user(request), state=state)
    return web.json_response({"handoffs": [h.as_json() for h in found]})


@routes.post("/api/handoffs/{reference}/reply")
@refusing(
    {
        InvalidDraft: (422, "Tulis balasan (paling banyak 2000 huruf)."),
        MessageNotSent: (502, "Balasan tersimpan tetapi belum terkirim ke warga."),
    }
)
async def reply(request: web.Request) -> web.Response:
    body = await _body(request)
    view = await services(request).handoffs.reply(
        _user(request), request.match_info["reference"], str(body.get("text") or "")
    )
    return web.json_response(view.as_json())


@routes.post("/api/handoffs/{reference}/close")
@refusing(
    {
        BotNotResumed: (
            503,
            "Tabik belum dapat dilanjutkan untuk warga ini; percakapan tetap terbuka. "
            "Coba tutup lagi sebentar lagi.",
        )
    }
)
async def close(request: web.Request) -> web.Response:
    view = await services(request).handoffs.close(_user(request), request.match_info["reference"])
    return web.json_response(view.as_json())


@routes.get("/api/audit")
@refusing({NotAuthorised: (403, "Log audit hanya untuk admin.")})
async def audit(request: web.Request) -> web.Response:
    try:
        limit = int(request.query.get("limit") or 100)
    except ValueError:
        return json_error(422, "limit harus angka.")
    entries = await services(request).audit.entries(_user(request), limit=limit)
    return web.json_response({"entries": entries})


# ------------------------------------------------------------------ figures


def _stats_filters(query: Mapping[str, str]) -> dict[str, Any]:
    """``agency``, ``kabupaten_kota``, ``from`` and ``to`` (ISO days) for FigureDesk.staff;
    ValueError for a day that is not ``YYYY-MM-DD``."""
    since, until = query.get("from") or None, query.get("to") or None
    return {
        "agency": query.get("agency") or None,
        "kabupaten_kota": query.get("kabupaten_kota") or None,
        "since": date.fromisoformat(since) if since else None,
        "until": date.fromisoformat(until) if until else None,
    }


async def staff_stats(request: web.Request) -> StaffFigures:
    """The user's figures for the query's filters; OutsideScope or ValueError."""
    return await figure_desk(request).staff(_user(request), **_stats_filters(request.query))


STATS_REFUSALS: Refusals = {
    OutsideScope: (404, "Tidak ditemukan."),
    ValueError: (422, "Tanggal harus YYYY-MM-DD, dari sebelum sampai, paling lama setahun."),
}


@routes.get("/api/stats")
@refusing(STATS_REFUSALS)
async def stats(request: web.Request) -> web.Response:
    return web.json_response(await staff_stats(request))


@routes.get("/api/stats.csv")
@refusing(STATS_REFUSALS)
async def stats_csv(request: web.Request) -> web.Response:
    return csv_response(figures_csv(await staff_stats(request)), "statistik-tabik.csv")


@routes.get("/api/public/stats")
@refusing({ValueError: (422, "month harus bulan YYYY-MM yang sudah mulai.")})
async def public_stats(request: web.Request) -> web.Response:
    desk = figure_desk(request)
    figures = await desk.public(request.query.get("month") or desk.last_month())
    return web.json_response(figures, headers={"Cache-Control": "public, max-age=300"})


def add_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
