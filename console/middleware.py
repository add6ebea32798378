"""The console's middleware: who is logged in (session cookie and CSRF, or bearer token),
security headers, the session cookie, and 404 for what the user may not see.

Pages use an encrypted, HttpOnly, SameSite cookie session and a CSRF token on
every form; the JSON API under ``/api/`` uses ``Authorization: Bearer``. The
cookie carries a session id kept in the database (logout ends it for every
instance). Over HTTPS (directly, or as a trusted proxy says) the cookie is
``Secure`` and responses carry ``Strict-Transport-Security``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_session import Session, get_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from console.errors import NOT_FOUND_ERRORS
from console.evidence import PHOTO_BODY_MAX
from console.parts import USER
from console.request_context import json_error, render, secure_transport, services

log = logging.getLogger(__name__)

SESSION_COOKIE = "tabik_console"
SESSION_MAX_AGE = 8 * 3600  # one working day (the server-side session lasts as long)
PUBLIC_API = "/api/public/"  # figures for everyone: no token, no personal data
HSTS = "max-age=31536000; includeSubDomains"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
async def photo_uploads(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A status change may carry a photo of the result: a larger body than elsewhere."""
    if request.method == "POST" and request.path.endswith("/status"):
        request = request.clone(client_max_size=PHOTO_BODY_MAX)
    return await handler(request)


@web.middleware
async def not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A ticket or handoff the user may not see answers 404, the same as an unknown one."""
    try:
        return await handler(request)
    except NOT_FOUND_ERRORS:
        if request.path.startswith("/api/"):
            return json_error(404, "Tidak ditemukan.")
        return render(
            request,
            "error.html",
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
    if request.path.startswith(PUBLIC_API):
        return await handler(request)
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
            return render(
                request,
                "error.html",
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
