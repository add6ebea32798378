"""The console application: sessions, CSRF, who is logged in, errors, routes.

Pages use an encrypted, HttpOnly, SameSite cookie session and a CSRF token on
every form; the JSON API under ``/api/`` uses ``Authorization: Bearer``. The
cookie carries a session id kept in the database (logout ends it for every
instance). Over HTTPS (directly, or as a trusted proxy says) the cookie is
``Secure`` and responses carry ``Strict-Transport-Security``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import Session, get_session
from aiohttp_session import setup as setup_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.bootstrap import StaffServices
from bot.domain.office_hours import WIB
from bot.domain.staff import StaffAccount
from bot.domain.vocabulary import label, region_names, values
from bot.entrypoints.nlu_models import ModelService
from bot.services.nlu_inbox import NluInbox
from bot.services.staff_desk import QueueQuery
from console.errors import NOT_FOUND_ERRORS
from console.origin import Origin, origin_of
from console.settings import ConsoleSettings

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", StaffServices)
SETTINGS = web.AppKey("settings", ConsoleSettings)
USER = "user"
ORIGIN = "origin"
SESSION_COOKIE = "tabik_console"
SESSION_MAX_AGE = 8 * 3600  # one working day (the server-side session lasts as long)
HSTS = "max-age=31536000; includeSubDomains"
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

QUERY_FIELDS = ("status", "kind", "category", "age", "q")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def services(request: web.Request) -> StaffServices:
    return request.app[SERVICES]


def user_of(request: web.Request) -> StaffAccount:
    user = request.get(USER)
    if user is None:
        raise web.HTTPFound("/login")
    return user  # type: ignore[no-any-return]


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def queue_query(params: Mapping[str, str]) -> QueueQuery:
    """The queue's search and filters from a query string (an empty value is no filter)."""
    return QueueQuery(**{name: params.get(name) or None for name in QUERY_FIELDS})


def json_error(status: int, text: str, **headers: str) -> web.Response:
    return web.json_response({"error": text}, status=status, headers=headers or None)


def origin(request: web.Request) -> Origin:
    """The client's address and scheme, through trusted proxies only (``console.origin``)."""
    found = request.get(ORIGIN)
    if found is None:
        found = origin_of(request, request.app[SETTINGS].trusted_proxies)
        request[ORIGIN] = found
    return found  # type: ignore[no-any-return]


def secure_transport(request: web.Request) -> bool:
    return request.app[SETTINGS].secure_cookies or origin(request).https


def _protect(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    if secure_transport(request):
        response.headers.setdefault("Strict-Transport-Security", HSTS)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as answer:  # redirects and refusals raised by handlers
        _protect(request, answer)
        raise
    _protect(request, response)
    return response


class SessionCookies(EncryptedCookieStorage):
    """The encrypted cookie, ``Secure`` whenever the request came over HTTPS."""

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        await super().save_session(request, response, session)
        cookie = response.cookies.get(self.cookie_name)
        if cookie is not None and secure_transport(request):
            cookie["secure"] = True


@web.middleware
async def not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A ticket or handoff the user may not see answers 404, the same as an unknown one."""
    try:
        return await handler(request)
    except NOT_FOUND_ERRORS:
        if request.path.startswith("/api/"):
            return json_error(404, "Tidak ditemukan.")
        return aiohttp_jinja2.render_template(
            "error.html",
            request,
            {
                "title": "Tidak ditemukan",
                "message": "Tiket atau percakapan ini tidak ada di wilayah Anda.",
            },
            status=404,
        )


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer token for ``/api/``; the session cookie (and CSRF on POST) for pages."""
    accounts = services(request).accounts
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = await accounts.by_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return json_error(401, "Token tidak ada atau tidak berlaku.")
        request[USER] = user
        return await handler(request)
    if request.path in ("/health",) or request.path.startswith("/static/"):
        return await handler(request)
    session = await get_session(request)
    if request.method == "POST":
        form = await request.post()
        sent = str(form.get("csrf_token") or "")
        expected = str(session.get("csrf") or "")
        if not expected or not hmac.compare_digest(sent, expected):
            log.warning("form without a valid CSRF token refused: %s", request.path)
            return aiohttp_jinja2.render_template(
                "error.html",
                request,
                {"title": "Formulir kedaluwarsa", "message": "Muat ulang halaman lalu coba lagi."},
                status=403,
            )
    session_id = session.get("sid")
    if session_id:
        # The server decides: a cookie outliving its logout or revocation is refused.
        user = await accounts.for_session(str(session_id))
        if user is None:
            session.invalidate()
        else:
            request[USER] = user
    return await handler(request)


def _when(at: datetime | str | None) -> str:
    if at is None:
        return "-"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return f"{at.astimezone(WIB):%d-%m-%Y %H.%M} WIB"


STATUS_WORDS = {
    "diterima": "Diterima",
    "diverifikasi": "Diverifikasi",
    "diteruskan": "Diteruskan",
    "diproses": "Diproses",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
SLA_WORDS = {"ok": "Tepat waktu", "late": "Terlambat", "overdue": "Lewat batas"}


def _subject(item: Any) -> str:
    if item.kind == "complaint":
        return label("complaint_category", item.category) if item.category else "-"
    return label("document_type", item.document_type) if item.document_type else "-"


async def _context(request: web.Request) -> dict[str, Any]:
    return {
        "user": request.get(USER),
        "csrf_token": await csrf_token(request),
        "path": request.path,
    }


async def api_admin(request: web.Request) -> StaffAccount:
    """The admins' JSON API: the bearer token's account, when it is an admin's."""
    user = request.get(USER)
    if user is None or not user.is_admin:
        raise web.HTTPForbidden(text='{"error": "Khusus admin."}', content_type="application/json")
    return user  # type: ignore[no-any-return]


def create_app(
    staff: StaffServices,
    settings: ConsoleSettings,
    *,
    nlu_inbox: NluInbox | None = None,
    models: ModelService | None = None,
) -> web.Application:
    """The console; the admins' NLU inbox and model service are built on first use unless given."""
    app = web.Application(middlewares=[security_headers])
    app[SERVICES] = staff
    app[SETTINGS] = settings
    setup_session(
        app,
        SessionCookies(
            settings.fernet_key,
            cookie_name=SESSION_COOKIE,
            httponly=True,
            samesite="Lax",
            secure=settings.secure_cookies,
            max_age=SESSION_MAX_AGE,
        ),
    )
    app.middlewares.extend([authenticate, not_found])
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
    )
    from console import admin_nlu, admin_pages, admin_privacy, api, pages

    pages.add_routes(app)
    api.add_routes(app)
    admin_nlu.setup(
        app,
        require_admin=api_admin,
        audit=staff.audit.record,
        inbox_service=nlu_inbox,
        model_service=models,
    )
    admin_pages.add_routes(app)
    admin_privacy.add_routes(app)
    app.router.add_static("/static/", STATIC)
    app.on_cleanup.append(_close)  # type: ignore[arg-type]
    return app


async def _close(app: web.Application) -> None:
    await app[SERVICES].close()
