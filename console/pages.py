"""Server-rendered pages: login, queue, ticket, filing on behalf and receipt, handoffs, audit."""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Sequence

from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.adapters.media import EXTENSIONS, MAX_MEDIA_BYTES, PlatformMedia
from bot.domain.errors import (
    CompletionNeedsNote,
    InvalidDraft,
    InvalidNik,
    InvalidTransition,
    NotAuthorised,
    RejectionNeedsReason,
)
from bot.domain.staff import LoginFailed, LoginThrottled
from bot.services.handoff_desk import BotNotResumed
from bot.services.messaging import MessageNotSent
from bot.services.staff_desk import Filing
from console.errors import NOT_FOUND_ERRORS, field_error, transition_sentence
from console.evidence import BadPhoto, kept_photo
from console.request_context import origin, queue_query, render, services, settings, user_of

log = logging.getLogger(__name__)

Errors = Sequence[dict[str, str]]
MEDIA_WORDS = {
    "unavailable": "Foto ini tidak tersimpan (tidak terunduh saat diterima, atau sudah dihapus).",
}


# ------------------------------------------------------------------- login


async def login_form(request: web.Request) -> web.Response:
    if request.get("user") is not None:
        raise web.HTTPFound("/antrean")
    return render(request, "login.html", {"errors": [], "username": ""})


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    errors: list[dict[str, str]] = []
    status, retry_after = 401, 0
    accounts = services(request).accounts
    try:
        user = await accounts.login(username, password, client=origin(request).address)
    except LoginThrottled as throttled:
        retry_after = max(1, math.ceil(throttled.retry_after))
        minutes = max(1, math.ceil(retry_after / 60))
        errors.append(
            {
                "field": "password",
                "text": f"Terlalu banyak percobaan masuk dari perangkat ini. "
                f"Coba lagi {minutes} menit lagi.",
            }
        )
        status = 429
    except LoginFailed:
        errors.append({"field": "username", "text": "Nama pengguna atau kata sandi salah."})
    else:
        session = await new_session(request)  # a fresh session: no fixation
        session["sid"] = await accounts.start_session(user)
        session["csrf"] = secrets.token_urlsafe(32)
        log.info("staff %s logged in", user.username)
        raise web.HTTPFound("/antrean")
    response = render(
        request, "login.html", {"errors": errors, "username": username}, status=status
    )
    if status == 429:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    session_id = session.get("sid")
    if session_id:
        await services(request).accounts.end_session(str(session_id))
    session.invalidate()
    raise web.HTTPFound("/login")


async def home(request: web.Request) -> web.Response:
    user_of(request)
    raise web.HTTPFound("/antrean")


# ------------------------------------------------------------------- queue


async def queue(request: web.Request) -> web.Response:
    user = user_of(request)
    query = queue_query(request.query)
    errors = []
    try:
        items = await services(request).desk.queue(user, query)
    except ValueError:
        items, errors = [], [{"field": "status", "text": "Pilih status dari daftar."}]
    return render(request, "queue.html", {"items": items, "query": query, "errors": errors})


# ------------------------------------------------------------------ ticket


async def ticket(request: web.Request, errors: Errors = (), status: int = 200) -> web.Response:
    found = await services(request).desk.ticket(user_of(request), request.match_info["number"])
    return render(request, "ticket.html", {"t": found, "errors": errors}, status=status)


async def change_status(request: web.Request) -> web.Response:
    user = user_of(request)
    number = request.match_info["number"]
    form = await request.post()
    to = str(form.get("status") or "")
    note = str(form.get("note") or "")
    upload = form.get("photo")
    # Only finishing takes a photo; none is kept for any other change.
    body = upload.file.read() if isinstance(upload, web.FileField) and to == "selesai" else None
    try:
        async with kept_photo(request, body) as photo:
            await services(request).desk.change_status(user, number, to=to, note=note, photo=photo)
    except NOT_FOUND_ERRORS:
        raise  # the 404 page (a malformed number is a ValueError too)
    except InvalidTransition as error:
        errors = [{"field": "status", "text": transition_sentence(error)}]
        return await ticket(request, errors, status=409)
    except RejectionNeedsReason:
        errors = [{"field": "note", "text": "Tulis alasan penolakan untuk warga."}]
        return await ticket(request, errors, status=422)
    except CompletionNeedsNote:
        errors = [{"field": "note", "text": "Tulis apa yang sudah dikerjakan untuk warga."}]
        return await ticket(request, errors, status=422)
    except BadPhoto as refused:
        errors = [{"field": "photo", "text": refused.text}]
        return await ticket(request, errors, status=422)
    except ValueError:
        errors = [{"field": "status", "text": "Pilih status baru."}]
        return await ticket(request, errors, status=422)
    raise web.HTTPSeeOther(f"/tiket/{number}?diubah=1")


async def attachment(request: web.Request) -> web.StreamResponse:
    """A ticket's photo, only for staff who may see the ticket, as a download.

    Only what the channel kept when the photo arrived is served (the console never asks
    a platform for anything), with the type its bytes prove, never inline: a file a
    browser would run (SVG, HTML) cannot reach staff through here.
    """
    user = user_of(request)
    found = await services(request).desk.attachment(
        user, request.match_info["number"], int(request.match_info["id"])
    )
    media = services(request).media or PlatformMedia(settings(request).media_dir)
    kept = media.kept(found.ref)
    if kept is None or kept.path.stat().st_size > MAX_MEDIA_BYTES:
        log.warning("photo %s of %s not shown: not kept", found.id, found.ref[:3])
        return render(
            request,
            "error.html",
            {"title": "Foto tidak dapat ditampilkan", "message": MEDIA_WORDS["unavailable"]},
            status=404,
        )
    extension = EXTENSIONS[kept.mime_type]
    return web.FileResponse(
        kept.path,
        headers={
            "Content-Type": kept.mime_type,
            "Content-Disposition": f'attachment; filename="foto-{found.id}.{extension}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "private",
        },
    )


# ------------------------------------------------------------------ filing


async def filing_form(request: web.Request) -> web.Response:
    user_of(request)
    return render(
        request,
        "file.html",
        {"errors": [], "form": {"kind": "complaint"}, "nonce": secrets.token_urlsafe(16)},
    )


async def file_on_behalf(request: web.Request) -> web.Response:
    user = user_of(request)
    form = {k: str(v) for k, v in (await request.post()).items()}
    filing = Filing(
        kind=form.get("kind", ""),
        name=form.get("name", ""),
        phone=form.get("phone") or None,
        nik=form.get("nik") or None,
        category=form.get("category") or None,
        document_type=form.get("document_type") or None,
        kabupaten_kota=form.get("kabupaten_kota") or None,
        kecamatan=form.get("kecamatan") or None,
        desa=form.get("desa") or None,
        description=form.get("description") or None,
        idempotency_key=form.get("nonce") or None,
    )
    try:
        number = await services(request).desk.file_on_behalf(user, filing)
    except InvalidNik:
        errors = [{"field": "nik", "text": "NIK harus 16 angka yang benar."}]
    except InvalidDraft as error:
        errors = [field_error(error.field, filing.kind)]
    else:
        raise web.HTTPSeeOther(f"/tiket/{number}/tanda-terima")
    return render(
        request,
        "file.html",
        {"errors": errors, "form": form, "nonce": form.get("nonce")},
        status=422,
    )


async def receipt(request: web.Request) -> web.Response:
    ticket = await services(request).desk.ticket(user_of(request), request.match_info["number"])
    requirement = services(request).desk.requirements(ticket.item.document_type)
    return render(request, "receipt.html", {"t": ticket, "requirement": requirement})


# ---------------------------------------------------------------- handoffs


async def handoffs(request: web.Request) -> web.Response:
    user = user_of(request)
    state = request.query.get("state", "open")
    found = await services(request).handoffs.handoffs(user, state=state if state != "all" else None)
    return render(request, "handoffs.html", {"handoffs": found, "state": state})


async def handoff(request: web.Request, errors: Errors = (), status: int = 200) -> web.Response:
    reference = request.match_info["reference"]
    view = await services(request).handoffs.handoff(user_of(request), reference)
    return render(request, "handoff.html", {"h": view, "errors": errors}, status=status)


async def reply(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    form = await request.post()
    try:
        await services(request).handoffs.reply(
            user_of(request), reference, str(form.get("text") or "")
        )
    except InvalidDraft:
        errors = [{"field": "text", "text": "Tulis balasan (paling banyak 2000 huruf)."}]
        return await handoff(request, errors, status=422)
    except MessageNotSent:
        errors = [
            {
                "field": "text",
                "text": "Balasan tersimpan tetapi belum terkirim ke warga. Coba kirim lagi.",
            }
        ]
        return await handoff(request, errors, status=502)
    raise web.HTTPSeeOther(f"/percakapan/{reference}")


async def close(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    try:
        await services(request).handoffs.close(user_of(request), reference)
    except BotNotResumed:
        errors = [
            {
                "field": "close",
                "text": "Tabik belum dapat dilanjutkan untuk warga ini, jadi percakapan tetap "
                "terbuka. Coba tutup lagi sebentar lagi.",
            }
        ]
        return await handoff(request, errors, status=503)
    raise web.HTTPSeeOther(f"/percakapan/{reference}")


# ------------------------------------------------------------------- audit


async def audit(request: web.Request) -> web.Response:
    try:
        entries = await services(request).audit.entries(user_of(request), limit=200)
    except NotAuthorised:
        return render(
            request,
            "error.html",
            {"title": "Khusus admin", "message": "Log audit hanya untuk admin."},
            status=403,
        )
    return render(request, "audit.html", {"entries": entries})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/health", health)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", home)
    app.router.add_get("/antrean", queue)
    app.router.add_get("/tiket/{number}", ticket)
    app.router.add_post("/tiket/{number}/status", change_status)
    app.router.add_get("/tiket/{number}/lampiran/{id:\\d+}", attachment)
    app.router.add_get("/tiket/{number}/tanda-terima", receipt)
    app.router.add_get("/lapor", filing_form)
    app.router.add_post("/lapor", file_on_behalf)
    app.router.add_get("/percakapan", handoffs)
    app.router.add_get("/percakapan/{reference}", handoff)
    app.router.add_post("/percakapan/{reference}/balas", reply)
    app.router.add_post("/percakapan/{reference}/tutup", close)
    app.router.add_get("/audit", audit)
