"""Admins' page for erasing one resident's personal data (``/admin/privasi``).

The same use case as ``python -m bot.cli resident erase`` (:mod:`bot.services.privacy`):
found by phone or NIK, removed everywhere, tickets kept for the figures, the erasure in
the audit log under the admin's name. Only admins (403 for anyone else); the form carries
the console's CSRF token and asks the admin to confirm, since nothing can bring it back.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.domain.errors import InvalidDraft, InvalidNik, ResidentNotFound
from console.admin_access import Errors, admin_only
from console.request_context import render, services, user_of

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

# What each count is, in the admin's words (keys are PersonalData's).
REMOVED_WORDS = {
    "tickets_stripped": "Tiket dibersihkan dari data pribadi",
    "audit_notes": "Catatan di log audit",
    "received_messages": "Pesan masuk",
    "sent_messages": "Pesan keluar",
    "nlu_inbox_items": "Pesan di kotak masuk NLU",
    "handoffs": "Percakapan dengan petugas",
    "chat_accounts": "Akun chat",
    "residents": "Data warga",
    "conversation_events": "Riwayat percakapan tersimpan",
    "photos": "Lampiran foto",
    "photo_files": "Berkas foto",
}


def _page(
    request: web.Request,
    *,
    form: dict[str, str] | None = None,
    errors: Errors = (),
    erasure: Any = None,
    status: int = 200,
) -> web.Response:
    context = {
        "form": form or {},
        "errors": errors,
        "erasure": erasure,
        "removed_words": REMOVED_WORDS,
    }
    return render(request, "privacy.html", context, status=status)


@routes.get("/admin/privasi")
@admin_only
async def erase_form(request: web.Request) -> web.Response:
    return _page(request)


@routes.post("/admin/privasi/hapus")
@admin_only
async def erase(request: web.Request) -> web.Response:
    posted = await request.post()
    form = {key: str(posted.get(key) or "").strip() for key in ("by", "value", "confirm")}
    errors: list[dict[str, str]] = []
    if form["by"] not in ("phone", "nik"):
        errors.append({"field": "by", "text": "Pilih cari dengan nomor HP atau NIK."})
    if not form["value"]:
        errors.append({"field": "value", "text": "Isi nomor HP atau NIK warga."})
    if form["confirm"] != "1":
        errors.append(
            {"field": "confirm", "text": "Centang pernyataan bahwa data tidak dapat dikembalikan."}
        )
    if errors:
        return _page(request, form=form, errors=errors, status=422)
    personal = services(request).personal
    if personal is None:
        raise web.HTTPServiceUnavailable(text="Penghapusan data tidak tersedia di instans ini.")
    key = {form["by"]: form["value"]}
    try:
        erasure = await personal.erase(actor=user_of(request).actor, **key)
    except ResidentNotFound:
        text = "Tidak ada data warga dengan nomor HP atau NIK itu. Tidak ada yang dihapus."
        return _page(request, form=form, errors=[{"field": "value", "text": text}], status=404)
    except (InvalidNik, InvalidDraft):
        text = "NIK harus 16 angka yang sah; nomor HP minimal 8 angka."
        return _page(request, form=form, errors=[{"field": "value", "text": text}], status=422)
    log.info("%s erased a resident's personal data (by %s)", user_of(request).actor, form["by"])
    return _page(request, erasure=erasure)


def add_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
