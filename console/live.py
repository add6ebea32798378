"""Live pages: server-sent events for the queue and the handoff pages.

``GET /langsung/antrean?<the queue's filters>``, ``/langsung/percakapan`` and
``/langsung/percakapan/{reference}`` answer ``text/event-stream`` to a logged-in
page (the session cookie; never the API's bearer token). A stream waits on the
process's one :class:`~bot.services.live_updates.ChangeWatch`; when the markers
move it asks the desk again *as its user* (the same queue and visibility calls as
the pages) and sends only what changed, as HTML fragments the pages render too:

* ``ticket`` ``{"number", "html"}``: a new or changed row of the queue; ``gone``
  ``{"number"}``: a row no longer in it; ``count`` ``{"new", "escalated"}``: for the
  header's ``#live-count``, when the page has one;
* ``message`` ``{"html"}`` with ``id`` = the messages shown so far (a reconnecting
  browser sends it back as ``Last-Event-ID``); ``closed``: the handoff was closed;
* ``handoff`` ``{"reference", "html"}``: a new or changed open handoff; ``gone``
  ``{"reference"}``.

A comment every ``KEEP_ALIVE`` seconds keeps proxies from closing an idle stream;
the session is checked again every ``SESSION_CHECK`` seconds, so a logout (in any
instance) ends the stream. At most ``STREAMS_PER_USER`` per user and process (429
beyond). A stream keeps one snapshot of what its page shows (the queue's limit of
rows, or a count of messages), never a history.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from bot.adapters.db.change_markers import DbChangeMarkers
from bot.domain.staff import StaffAccount
from bot.services.desk_views import QueueItem
from bot.services.handoff_views import HandoffView
from bot.services.live_updates import ChangeWatch, StreamLimits, TooManyStreams
from console.errors import NOT_FOUND_ERRORS
from console.parts import SERVICES, USER
from console.request_context import queue_query, services

__all__ = ["LIVE", "Live", "add_routes", "setup_live"]

log = logging.getLogger(__name__)

KEEP_ALIVE = 15.0
SESSION_CHECK = 10.0
STREAMS_PER_USER = 5
RETRY_MS = 3000  # how soon a browser reconnects after the stream ended


class Live:
    """The process's watch on the database and its count of open streams."""

    def __init__(self, watch: ChangeWatch, limits: StreamLimits) -> None:
        self.watch = watch
        self.limits = limits
        self.stopping = asyncio.Event()


LIVE = web.AppKey("live", Live)

Snapshot = Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]]


def _event(name: str, data: Mapping[str, Any], *, event_id: int | None = None) -> bytes:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


def _fragments(request: web.Request) -> Any:
    return aiohttp_jinja2.get_env(request.app).get_template("_live.html").module


async def _session_alive(request: web.Request) -> bool:
    session = await get_session(request)
    session_id = session.get("sid")
    if not session_id:
        return False
    return await services(request).accounts.for_session(str(session_id)) is not None


async def _stream(request: web.Request, changes: Snapshot) -> web.StreamResponse:
    """Open the stream, then send ``changes()`` each time the markers moved."""
    user: StaffAccount | None = request.get(USER)
    if user is None or user.id is None or "Authorization" in request.headers:
        return web.json_response({"error": "Masuk dulu."}, status=401)
    live = request.app[LIVE]
    try:
        live.limits.acquire(user.id)
    except TooManyStreams as refused:
        return web.json_response(
            {"error": f"Paling banyak {refused.limit} halaman langsung sekaligus."},
            status=429,
            headers={"Retry-After": "30"},
        )
    try:
        async with live.watch.listening():
            seen = live.watch.generation
            # The first look: outside the user's scope it raises, and the page is a 404.
            first = await changes()
            response = web.StreamResponse(
                headers={
                    "Content-Type": "text/event-stream",
                    "Cache-Control": "no-store",
                    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
                    "X-Content-Type-Options": "nosniff",
                }
            )
            await response.prepare(request)
            await response.write(f"retry: {RETRY_MS}\n\n".encode())
            await _send(response, first)
            await _serve(request, response, live, changes, seen)
    except (ConnectionResetError, asyncio.CancelledError):
        log.debug("live stream of %s ended by the browser", user.username)
        raise
    finally:
        live.limits.release(user.id)
    return response


async def _send(response: web.StreamResponse, events: list[tuple[str, dict[str, Any]]]) -> None:
    for name, data in events:
        await response.write(_event(name, data, event_id=data.pop("_id", None)))


async def _serve(
    request: web.Request,
    response: web.StreamResponse,
    live: Live,
    changes: Snapshot,
    seen: int,
) -> None:
    quiet_since = checked_at = time.monotonic()
    while not live.stopping.is_set():
        now_seen = await live.watch.wait(seen, timeout=1.0)
        transport = request.transport
        if transport is None or transport.is_closing():
            return  # the browser went away (aiohttp does not cancel the handler)
        now = time.monotonic()
        if now - checked_at >= SESSION_CHECK:
            checked_at = now
            if not await _session_alive(request):
                await response.write(_event("ended", {}))
                return
        if now_seen != seen:
            seen = now_seen
            try:
                events = await changes()
            except NOT_FOUND_ERRORS:
                await response.write(_event("ended", {}))
                return
            await _send(response, events)
            if events:
                quiet_since = now
        if now - quiet_since >= KEEP_ALIVE:
            quiet_since = now
            await response.write(b": keep-alive\n\n")


# ------------------------------------------------------------------- views


def digest(parts: list[str]) -> str:
    """A short fingerprint of what a page shows; the stream compares its first look with it,
    so a change between rendering the page and opening the stream is not lost."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def queue_digest(items: list[QueueItem]) -> str:
    return digest([f"{i.number}:{i.status}:{i.sla}" for i in items])


def handoffs_digest(found: list[HandoffView]) -> str:
    return digest([f"{h.reference}:{len(h.messages)}:{h.emergency}" for h in found])


async def queue(request: web.Request) -> web.StreamResponse:
    query = queue_query(request.query)
    shown: dict[str, QueueItem] = {}
    first = True
    page = request.query.get("v", "")

    async def changes() -> list[tuple[str, dict[str, Any]]]:
        nonlocal first
        user = request[USER]
        try:
            items = await services(request).desk.queue(user, query)
        except ValueError:
            items = []
        rows = _fragments(request)
        now = {item.number: item for item in items}
        events: list[tuple[str, dict[str, Any]]] = []
        if not first or queue_digest(items) != page:
            for number, item in now.items():
                if shown.get(number) != item:
                    events.append(("ticket", {"number": number, "html": str(rows.queue_row(item))}))
            events.extend(("gone", {"number": n}) for n in shown if n not in now)
            if events:
                escalated = sum(1 for i in items if getattr(i, "escalated_to", None))
                new = sum(1 for i in items if i.status == "diterima")
                events.append(("count", {"new": new, "escalated": escalated}))
        first = False
        shown.clear()
        shown.update(now)
        return events

    return await _stream(request, changes)


async def handoffs(request: web.Request) -> web.StreamResponse:
    shown: dict[str, HandoffView] = {}
    first = True
    page = request.query.get("v", "")

    async def changes() -> list[tuple[str, dict[str, Any]]]:
        nonlocal first
        found = await services(request).handoffs.handoffs(request[USER], state="open")
        cards = _fragments(request)
        now = {h.reference: h for h in found}
        events: list[tuple[str, dict[str, Any]]] = []
        if not first or handoffs_digest(found) != page:
            for reference, view in now.items():
                old = shown.get(reference)
                if old is None or old.messages != view.messages or old.emergency != view.emergency:
                    html = str(cards.handoff_card(view))
                    events.append(("handoff", {"reference": reference, "html": html}))
            events.extend(("gone", {"reference": r}) for r in shown if r not in now)
        first = False
        shown.clear()
        shown.update(now)
        return events

    return await _stream(request, changes)


async def handoff(request: web.Request) -> web.StreamResponse:
    reference = request.match_info["reference"]
    cursor = _cursor(request)
    closed = False

    async def changes() -> list[tuple[str, dict[str, Any]]]:
        nonlocal cursor, closed
        view = await services(request).handoffs.handoff(request[USER], reference)
        chat = _fragments(request)
        events: list[tuple[str, dict[str, Any]]] = []
        for index, message in enumerate(view.messages[cursor:], start=cursor + 1):
            events.append(("message", {"html": str(chat.chat_message(message)), "_id": index}))
        cursor = max(cursor, len(view.messages))
        if view.state != "open" and not closed:
            closed = True
            events.append(("closed", {"reference": view.reference}))
        return events

    return await _stream(request, changes)


def _cursor(request: web.Request) -> int:
    """How many messages the page shows: Last-Event-ID on a reconnect, else ``shown``."""
    for value in (request.headers.get("Last-Event-ID"), request.query.get("shown")):
        if value and value.isdigit():
            return int(value)
    return 0


# ------------------------------------------------------------------- wiring


def setup_live(app: web.Application, watch: ChangeWatch | None = None) -> None:
    """The process's watch (on the staff's database unless given) and the stream routes."""
    if watch is None:
        watch = ChangeWatch(DbChangeMarkers(app[SERVICES].engine))
    live = Live(watch, StreamLimits(per_user=STREAMS_PER_USER))
    app[LIVE] = live
    aiohttp_jinja2.get_env(app).globals.update(
        queue_digest=queue_digest, handoffs_digest=handoffs_digest
    )

    async def stop(app: web.Application) -> None:
        live.stopping.set()
        await live.watch.close()

    app.on_shutdown.append(stop)  # type: ignore[arg-type]
    add_routes(app)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/langsung/antrean", queue)
    app.router.add_get("/langsung/percakapan", handoffs)
    app.router.add_get("/langsung/percakapan/{reference}", handoff)
