"""The admins' JSON API for the NLU inbox and the models (``Authorization: Bearer``).

Nothing here is open to anyone but an admin (403). Every admin action is written to
the audit log. Training and evaluating take minutes: the models page runs them as
jobs (:mod:`console.model_jobs`); ``python -m bot.cli model`` does the same from a shell.

- ``GET /api/nlu/inbox`` → ``{"items": [{"id", "text", "intent", "confidence", "count"}]}``
- ``POST /api/nlu/inbox/{id}/label`` ``{"intent"}`` → ``{"id", "intent", "text"}``;
  422 ``{"error", "intents"}`` for an intent not in the domain; 404 for no open item
- ``POST /api/nlu/inbox/{id}/ignore`` → ``{"id"}``
- ``GET /api/models`` → ``{"models": [{"name", "figures", "verdict", "deployed_on", …}]}``
- ``POST /api/models/{name}/deploy`` ``{"force": false}`` → ``{"instances": […]}``;
  409 ``{"error", "worse_intents"}`` when worse; 502 when an instance failed
- ``POST /api/models/rollback`` → ``{"instances": […]}``
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from bot.services.labelled_examples import UnknownIntent
from bot.services.models import DeployRefused, InstanceResult, UnknownModel
from bot.services.nlu_inbox import InboxItemNotFound
from console.admin_access import MODEL_NAME, not_configured
from console.admin_tools import NotConfigured
from console.request_context import admin_tools, api_admin

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]


def admins(handler: Handler) -> Handler:
    """403 for anyone but an admin; 503 on a console without the inbox or the models."""

    @functools.wraps(handler)
    async def answer(request: web.Request) -> web.Response:
        api_admin(request)
        try:
            return await handler(request)
        except NotConfigured:
            return not_configured(request)

    return answer


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


def _instances(results: list[InstanceResult]) -> web.Response:
    body = {"instances": [asdict(r) for r in results]}
    return web.json_response(body, status=200 if all(r.ok for r in results) else 502)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@routes.get("/api/nlu/inbox")
@admins
async def inbox(request: web.Request) -> web.Response:
    items = await admin_tools(request).items()
    return web.json_response({"items": [i.as_json() for i in items]})


@routes.post("/api/nlu/inbox/{id:\\d+}/label")
@admins
async def label(request: web.Request) -> web.Response:
    user = api_admin(request)
    item_id = int(request.match_info["id"])
    intent = str((await _body(request)).get("intent") or "")
    tools = admin_tools(request)
    try:
        text = await tools.label(item_id, intent)
    except UnknownIntent as error:
        return _error(422, str(error), intents=error.known)
    except InboxItemNotFound as error:
        return _error(404, str(error))
    await tools.audit(user, "nlu.labelled", f"nlu-inbox:{item_id}", intent=intent)
    return web.json_response({"id": item_id, "intent": intent, "text": text})


@routes.post("/api/nlu/inbox/{id:\\d+}/ignore")
@admins
async def ignore(request: web.Request) -> web.Response:
    user = api_admin(request)
    item_id = int(request.match_info["id"])
    tools = admin_tools(request)
    try:
        await tools.ignore(item_id)
    except InboxItemNotFound as error:
        return _error(404, str(error))
    await tools.audit(user, "nlu.ignored", f"nlu-inbox:{item_id}")
    return web.json_response({"id": item_id})


@routes.get("/api/models")
@admins
async def models(request: web.Request) -> web.Response:
    return web.json_response({"models": await admin_tools(request).list_models()})


@routes.post("/api/models/rollback")
@admins
async def rollback(request: web.Request) -> web.Response:
    tools = admin_tools(request)
    await tools.audit(api_admin(request), "model.rollback", "-", via="api")
    return _instances(await tools.rollback())


@routes.post(f"/api/models/{MODEL_NAME}/deploy")
@admins
async def deploy(request: web.Request) -> web.Response:
    user = api_admin(request)
    force = bool((await _body(request)).get("force"))
    name = request.match_info["name"]
    tools = admin_tools(request)
    await tools.audit(user, "model.deploy", name, force=force, via="api")
    try:
        results = await tools.deploy(name, force=force)
    except DeployRefused as error:
        return _error(409, str(error), worse_intents=error.worse_intents)
    except UnknownModel as error:
        return _error(404, str(error))
    return _instances(results)


def add_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
