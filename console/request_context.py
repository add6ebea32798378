"""What a view reads from its request: the services, the logged-in account, the CSRF
token, the client's origin, the queue's filters; and how it answers (a page, JSON)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from bot.bootstrap import StaffServices
from bot.domain.staff import StaffAccount
from bot.services.agencies import Agencies
from bot.services.figures import FigureDesk
from bot.services.staff_desk import QueueQuery
from console.admin_tools import AdminTools
from console.origin import Origin, origin_of
from console.parts import ADMIN_TOOLS, ORIGIN, SERVICES, SETTINGS, USER
from console.settings import ConsoleSettings

QUERY_FIELDS = ("status", "kind", "category", "age", "q")


def services(request: web.Request) -> StaffServices:
    return request.app[SERVICES]


def agencies_of(request: web.Request) -> Agencies:
    """The agencies' use cases on the console's units of work and routing cache."""
    desk = services(request).desk
    return Agencies(desk.uow_factory, directory=desk.filing.agencies, clock=desk.clock)


def settings(request: web.Request) -> ConsoleSettings:
    return request.app[SETTINGS]


def admin_tools(request: web.Request) -> AdminTools:
    return request.app[ADMIN_TOOLS]


def user_of(request: web.Request) -> StaffAccount:
    """The logged-in account; to the login page without one."""
    user = request.get(USER)
    if user is None:
        raise web.HTTPFound("/login")
    return user  # type: ignore[no-any-return]


def api_admin(request: web.Request) -> StaffAccount:
    """The admins' JSON API: the bearer token's account, when it is an admin's."""
    user = request.get(USER)
    if user is None or not user.is_admin:
        raise web.HTTPForbidden(text='{"error": "Khusus admin."}', content_type="application/json")
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


def origin(request: web.Request) -> Origin:
    """The client's address and scheme, through trusted proxies only (``console.origin``)."""
    found = request.get(ORIGIN)
    if found is None:
        found = origin_of(request, settings(request).trusted_proxies)
        request[ORIGIN] = found
    return found  # type: ignore[no-any-return]


def figure_desk(request: web.Request) -> FigureDesk:
    """The figures' service; 503 when the console was built without it."""
    desk = services(request).figures
    if desk is None:
        raise web.HTTPServiceUnavailable(text="Angka belum tersedia.")
    return desk


def csv_response(text: str, filename: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def secure_transport(request: web.Request) -> bool:
    return settings(request).secure_cookies or origin(request).https


def json_error(status: int, text: str, **headers: str) -> web.Response:
    return web.json_response({"error": text}, status=status, headers=headers or None)


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, context, status=status)
