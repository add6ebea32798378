"""Admins' page of agencies (``/admin/instansi``): the catalogue, searchable and paginated,
and forms to add an agency (or rename one) and to add a routing rule.

The same use cases as ``python -m bot.cli agency add|rule`` (:mod:`bot.services.agencies`),
audited under the admin's name. Only admins (403 for anyone else); the forms carry the
console's CSRF token like every other form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.domain.agencies import AgencyLevel, InvalidAgencyCode, UnknownAgency
from bot.domain.routing import RoutingRefused
from bot.services.agencies import AgencyRefused
from console.admin_access import Errors, admin_only
from console.request_context import agencies_of, render, user_of

routes = web.RouteTableDef()

PAGE_SIZE = 50
LEVEL_WORDS = {
    AgencyLevel.DESA.value: "Desa/kelurahan",
    AgencyLevel.KECAMATAN.value: "Kecamatan",
    AgencyLevel.KABUPATEN.value: "Kabupaten/kota",
    AgencyLevel.PROVINSI.value: "Provinsi",
    AgencyLevel.PUSAT.value: "Pusat",
}


async def _page(
    request: web.Request,
    *,
    form: dict[str, str] | None = None,
    errors: Errors = (),
    status: int = 200,
) -> web.Response:
    q = (request.query.get("q") or "").strip()
    try:
        page = max(1, int(request.query.get("halaman") or 1))
    except ValueError:
        page = 1
    total, found = await agencies_of(request).search(
        q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))

    def link(to: int) -> str:
        return "/admin/instansi?" + urlencode({"q": q, "halaman": to} if q else {"halaman": to})

    context: dict[str, Any] = {
        "q": q,
        "agencies": found,
        "total": total,
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "level_words": LEVEL_WORDS,
        "form": form or {},
        "errors": errors,
        "done": request.query.get("selesai"),
    }
    return render(request, "agencies.html", context, status=status)


@routes.get("/admin/instansi")
@admin_only
async def agencies(request: web.Request) -> web.Response:
    return await _page(request)


async def _posted(request: web.Request, *keys: str) -> dict[str, str]:
    posted = await request.post()
    return {key: str(posted.get(key) or "").strip() for key in keys}


@routes.post("/admin/instansi/tambah")
@admin_only
async def add_agency(request: web.Request) -> web.StreamResponse:
    form = await _posted(request, "code", "name", "level", "kabupaten_kota")
    errors = []
    if not form["code"]:
        errors.append({"field": "code", "text": "Isi kode instansi, misalnya DLH-1871."})
    if not form["name"]:
        errors.append({"field": "name", "text": "Isi nama resmi instansi."})
    if form["level"] not in LEVEL_WORDS:
        errors.append({"field": "level", "text": "Pilih tingkat instansi."})
    if errors:
        return await _page(request, form=form, errors=errors, status=422)
    try:
        await agencies_of(request).add(
            form["code"],
            name=form["name"],
            level=form["level"],
            kabupaten_kota=form["kabupaten_kota"] or None,
            actor=user_of(request).actor,
        )
    except (InvalidAgencyCode, UnknownAgency, AgencyRefused) as error:
        text = f"Instansi tidak dapat disimpan: {error}"
        return await _page(request, form=form, errors=[{"field": "code", "text": text}], status=422)
    raise web.HTTPSeeOther(
        "/admin/instansi?" + urlencode({"q": form["code"], "selesai": "instansi"})
    )


@routes.post("/admin/instansi/aturan")
@admin_only
async def add_rule(request: web.Request) -> web.StreamResponse:
    form = await _posted(request, "ticket", "target", "rule_kabupaten_kota")
    errors = []
    if not form["ticket"]:
        errors.append({"field": "ticket", "text": "Isi kategori aduan atau jenis dokumen."})
    if not form["target"]:
        errors.append({"field": "target", "text": "Isi jenis atau kode instansi tujuan."})
    if errors:
        return await _page(request, form=form, errors=errors, status=422)
    try:
        await agencies_of(request).add_rule(
            form["ticket"],
            form["target"],
            kabupaten_kota=form["rule_kabupaten_kota"] or None,
            actor=user_of(request).actor,
        )
    except RoutingRefused as error:
        text = f"Aturan ditolak untuk {error.subject}: {error.problem}"
        return await _page(
            request, form=form, errors=[{"field": "ticket", "text": text}], status=422
        )
    raise web.HTTPSeeOther("/admin/instansi?selesai=aturan")


def add_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
