"""Admins' NLU tools on the staff console: the inbox and the models, as JSON API.

``setup(app, require_admin=…)`` adds the routes; ``require_admin`` is the
console's own check (raises an aiohttp HTTP error unless the request comes from
an admin). Without it every route answers 403: nothing here is ever open.
The services are blocking (database, Rasa HTTP), so each call runs in a thread.

- ``GET /api/nlu/inbox`` → ``{"items": [{"id", "text", "intent", "confidence", "count"}]}``
- ``POST /api/nlu/inbox/{id}/label`` ``{"intent"}`` → ``{"id", "intent", "text"}``;
  422 ``{"error", "intents"}`` for an intent not in the domain; 404 for no open item
- ``POST /api/nlu/inbox/{id}/ignore`` → ``{"id"}``
- ``GET /api/models`` → ``{"models": [{"name", "figures", "verdict", "deployed_on", …}]}``
- ``POST /api/models/{name}/deploy`` ``{"force": false}`` → ``{"instances": […]}``;
  409 ``{"error", "worse_intents"}`` when worse; 502 when an instance failed
- ``POST /api/models/rollback`` → ``{"instances": […]}``

Training and evaluating take minutes; admins run them with ``python -m bot.cli model``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from bot.entrypoints.nlu_models import DeployRefused, InstanceResult, ModelService, UnknownModel
from bot.services.labelled_examples import UnknownIntent
from bot.services.nlu_inbox import InboxItemNotFound, NluInbox

AdminCheck = Callable[[web.Request], Awaitable[None]]
INBOX = web.AppKey("admin_nlu_inbox", NluInbox)
MODELS = web.AppKey("admin_nlu_models", ModelService)
CHECK = web.AppKey("admin_nlu_check", object)


async def _deny(_request: web.Request) -> None:
    raise web.HTTPForbidden(text='{"error": "admins only"}', content_type="application/json")


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


async def _admin(request: web.Request) -> None:
    check: AdminCheck = request.app[CHECK]  # type: ignore[assignment]
    await check(request)


def _instances(results: list[InstanceResult]) -> web.Response:
    body = {"instances": [asdict(r) for r in results]}
    return web.json_response(body, status=200 if all(r.ok for r in results) else 502)


async def inbox(request: web.Request) -> web.Response:
    await _admin(request)
    items = await asyncio.to_thread(request.app[INBOX].items)
    return web.json_response({"items": [i.as_json() for i in items]})


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def label(request: web.Request) -> web.Response:
    await _admin(request)
    item_id = int(request.match_info["id"])
    intent = str((await _body(request)).get("intent") or "")
    try:
        text = await asyncio.to_thread(request.app[INBOX].label, item_id, intent)
    except UnknownIntent as error:
        return _error(422, str(error), intents=error.known)
    except InboxItemNotFound as error:
        return _error(404, str(error))
    return web.json_response({"id": item_id, "intent": intent, "text": text})


async def ignore(request: web.Request) -> web.Response:
    await _admin(request)
    item_id = int(request.match_info["id"])
    try:
        await asyncio.to_thread(request.app[INBOX].ignore, item_id)
    except InboxItemNotFound as error:
        return _error(404, str(error))
    return web.json_response({"id": item_id})


async def models(request: web.Request) -> web.Response:
    await _admin(request)
    listing = await asyncio.to_thread(request.app[MODELS].list_models)
    return web.json_response({"models": listing})


async def deploy(request: web.Request) -> web.Response:
    await _admin(request)
    force = bool((await _body(request)).get("force"))
    name = request.match_info["name"]
    try:
        results = await asyncio.to_thread(request.app[MODELS].deploy, name, force=force)
    except DeployRefused as error:
        return _error(409, str(error), worse_intents=error.worse_intents)
    except UnknownModel as error:
        return _error(404, str(error))
    return _instances(results)


async def rollback(request: web.Request) -> web.Response:
    await _admin(request)
    return _instances(await asyncio.to_thread(request.app[MODELS].rollback))


def setup(
    app: web.Application,
    *,
    require_admin: AdminCheck | None = None,
    inbox_service: NluInbox | None = None,
    model_service: ModelService | None = None,
) -> None:
    """Add the routes; services default to the ones the CLI builds from the settings."""
    if inbox_service is None:
        from bot.cli.nlu import inbox as make_inbox

        inbox_service = make_inbox()
    if model_service is None:
        from bot.cli.model import service as make_models

        model_service = make_models()
    app[INBOX] = inbox_service
    app[MODELS] = model_service
    app[CHECK] = require_admin or _deny
    app.router.add_get("/api/nlu/inbox", inbox)
    app.router.add_post("/api/nlu/inbox/{id:\\d+}/label", label)
    app.router.add_post("/api/nlu/inbox/{id:\\d+}/ignore", ignore)
    app.router.add_get("/api/models", models)
    app.router.add_post("/api/models/rollback", rollback)
    app.router.add_post("/api/models/{name}/deploy", deploy)
