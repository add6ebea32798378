"""The pages' templates (aiohttp-jinja2): the filters, the words and the choices they share."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.domain.office_hours import WIB
from bot.domain.scope import scope_of
from bot.domain.staff import StaffAccount
from bot.domain.vocabulary import label, region_names, values
from bot.services.disposition import forward_choices
from console.parts import SERVICES, USER
from console.request_context import agencies_of, csrf_token

TEMPLATES = Path(__file__).with_name("templates")

STATUS_WORDS = {
    "diterima": "Diterima",
    "diverifikasi": "Diverifikasi",
    "diteruskan": "Diteruskan",
    "diproses": "Diproses",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
SLA_WORDS = {"ok": "Tepat waktu", "late": "Terlambat", "overdue": "Lewat batas"}


def _when(at: datetime | str | None) -> str:
    if at is None:
        return "-"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return f"{at.astimezone(WIB):%d-%m-%Y %H.%M} WIB"


def _subject(item: Any) -> str:
    if item.kind == "complaint":
        return label("complaint_category", item.category) if item.category else "-"
    return label("document_type", item.document_type) if item.document_type else "-"


async def _works_for(request: web.Request, user: StaffAccount | None) -> str:
    """What the header says the user works for: their agency's name, else their area."""
    if user is None:
        return ""
    agency = scope_of(user).agency_code
    if agency is not None:
        return await agencies_of(request).name_of(agency) or agency
    return user.area.label()


async def _context(request: web.Request) -> dict[str, Any]:
    user = request.get(USER)
    figures = request.app[SERVICES].figures
    return {
        "user": user,
        "works_for": await _works_for(request, user),
        "csrf_token": await csrf_token(request),
        "path": request.path,
        # Two counts in one cheap query: new tickets and open escalated ones in the user's scope.
        "header_counts": await figures.header_counts(user) if user and figures else None,
    }


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        context_processors=[_context, aiohttp_jinja2.request_processor],
    )
    env.filters["when"] = _when
    env.globals.update(
        status_words=STATUS_WORDS,
        sla_words=SLA_WORDS,
        subject=_subject,
        label=label,
        categories=values("complaint_category"),
        document_types=values("document_type"),
        # The queue's one "Kategori" filter: complaint categories, then document types.
        subject_choices=[
            *((c, label("complaint_category", c)) for c in values("complaint_category")),
            *((d, label("document_type", d)) for d in values("document_type")),
        ],
        regions=region_names(),
        forward_choices=forward_choices,
    )
