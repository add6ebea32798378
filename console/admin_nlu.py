"""Admins' NLU tools on the staff console: what the pages and the JSON API share, and the API.

:class:`AdminTools` holds the inbox, the model service (both built on first use
from the same settings as ``python -m bot.cli nlu|model``, or given by tests) and
the one running model job. Every admin action is written to the audit log.
Nothing here is open to anyone but an admin: ``require_admin`` is the console's
check; without one every route answers 403.
The services are blocking (database, Rasa HTTP), so each call runs in a thread.

- ``GET /api/nlu/inbox`` → ``{"items": [{"id", "text", "intent", "confidence", "count"}]}``
- ``POST /api/nlu/inbox/{id}/label`` ``{"intent"}`` → ``{"id", "intent", "text"}``;
  422 ``{"error", "intents"}`` for an intent not in the domain; 404 for no open item
- ``POST /api/nlu/inbox/{id}/ignore`` → ``{"id"}``
- ``GET /api/models`` → ``{"models": [{"name", "figures", "verdict", "deployed_on", …}]}``
- ``POST /api/models/{name}/deploy`` ``{"force": false}`` → ``{"instances": […]}``;
  409 ``{"error", "worse_intents"}`` when worse; 502 when an instance failed
- ``POST /api/models/rollback`` → ``{"instances": […]}``

Training and evaluating take minutes: the models page runs them as jobs
(:mod:`console.model_jobs`); ``python -m bot.cli model`` does the same from a shell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from bot.domain.staff import StaffAccount
from bot.entrypoints.nlu_models import DeployRefused, InstanceResult, ModelService, UnknownModel
from bot.services.labelled_examples import UnknownIntent, domain_intents
from bot.services.nlu_inbox import InboxItemNotFound, NluInbox
from console.model_jobs import Audit, ModelJobs

# A model is named, never a path: no "/" or "." (``ModelService.path_of`` also takes
# a file path, for the shell; over the web that would load any .tar.gz on the host).
MODEL_NAME = "{name:[A-Za-z0-9][A-Za-z0-9_-]*}"

AdminCheck = Callable[[web.Request], Awaitable[StaffAccount | None]]


@dataclass
class AdminTools:
    """The inbox and the models, built on first use unless given."""

    audit_writer: Audit
    inbox_service: NluInbox | None = None
    model_service: ModelService | None = None
    jobs: ModelJobs = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = ModelJobs(lambda: self.models, self.audit_writer)

    @property
    def inbox(self) -> NluInbox:
        if self.inbox_service is None:
            from bot.cli.nlu import inbox as make_inbox

            self.inbox_service = make_inbox()
        return self.inbox_service

    @property
    def models(self) -> ModelService:
        if self.model_service is None:
            from bot.cli.model import service as make_models

            self.model_service = make_models()
        return self.model_service

    def intents(self) -> list[str]:
        return sorted(domain_intents(self.inbox.examples.root))

    async def audit(
        self, user: StaffAccount | None, action: str, subject: str, **details: Any
    ) -> None:
        actor = user.actor if user is not None else "staff:?"
        await asyncio.to_thread(self.audit_writer, actor, action, subject, details)


TOOLS = web.AppKey("admin_nlu_tools", AdminTools)
CHECK = web.AppKey("admin_nlu_check", object)


def tools(request: web.Request) -> AdminTools:
    return request.app[TOOLS]


async def _deny(_request: web.Request) -> StaffAccount | None:
    raise web.HTTPForbidden(text='{"error": "admins only"}', content_type="application/json")


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


async def _admin(request: web.Request) -> StaffAccount | None:
    check: AdminCheck = request.app[CHECK]  # type: ignore[assignment]
    return await check(request)


def _instances(results: list[InstanceResult]) -> web.Response:
    body = {"instances": [asdict(r) for r in results]}
    return web.json_response(body, status=200 if all(r.ok for r in results) else 502)


async def inbox(request: web.Request) -> web.Response:
    await _admin(request)
    items = await asyncio.to_thread(tools(request).inbox.items)
    return web.json_response({"items": [i.as_json() for i in items]})


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def label(request: web.Request) -> web.Response:
    user = await _admin(request)
    item_id = int(request.match_info["id"])
    intent = str((await _body(request)).get("intent") or "")
    try:
        text = await asyncio.to_thread(tools(request).inbox.label, item_id, intent)
    except UnknownIntent as error:
        return _error(422, str(error), intents=error.known)
    except InboxItemNotFound as error:
        return _error(404, str(error))
    await tools(request).audit(user, "nlu.labelled", f"nlu-inbox:{item_id}", intent=intent)
    return web.json_response({"id": item_id, "intent": intent, "text": text})


async def ignore(request: web.Request) -> web.Response:
    user = await _admin(request)
    item_id = int(request.match_info["id"])
    try:
        await asyncio.to_thread(tools(request).inbox.ignore, item_id)
    except InboxItemNotFound as error:
        return _error(404, str(error))
    await tools(request).audit(user, "nlu.ignored", f"nlu-inbox:{item_id}")
    return web.json_response({"id": item_id})


async def models(request: web.Request) -> web.Response:
    await _admin(request)
    listing = await asyncio.to_thread(tools(request).models.list_models)
    return web.json_response({"models": listing})


async def deploy(request: web.Request) -> web.Response:
    user = await _admin(request)
    force = bool((await _body(request)).get("force"))
    name = request.match_info["name"]
    await tools(request).audit(user, "model.deploy", name, force=force, via="api")
    try:
        results = await asyncio.to_thread(tools(request).models.deploy, name, force=force)
    except DeployRefused as error:
        return _error(409, str(error), worse_intents=error.worse_intents)
    except UnknownModel as error:
        return _error(404, str(error))
    return _instances(results)


async def rollback(request: web.Request) -> web.Response:
    user = await _admin(request)
    await tools(request).audit(user, "model.rollback", "-", via="api")
    return _instances(await asyncio.to_thread(tools(request).models.rollback))


def setup(
    app: web.Application,
    *,
    require_admin: AdminCheck | None = None,
    audit: Audit | None = None,
    inbox_service: NluInbox | None = None,
    model_service: ModelService | None = None,
) -> AdminTools:
    """Add the API routes and the shared tools; services default to the CLI's."""
    app[TOOLS] = AdminTools(audit or _unaudited, inbox_service, model_service)
    app[CHECK] = require_admin or _deny
    app.router.add_get("/api/nlu/inbox", inbox)
    app.router.add_post("/api/nlu/inbox/{id:\\d+}/label", label)
    app.router.add_post("/api/nlu/inbox/{id:\\d+}/ignore", ignore)
    app.router.add_get("/api/models", models)
    app.router.add_post("/api/models/rollback", rollback)
    app.router.add_post(f"/api/models/{MODEL_NAME}/deploy", deploy)
    return app[TOOLS]


def _unaudited(actor: str, action: str, subject: str, details: dict[str, Any]) -> None:
    raise RuntimeError(f"no audit log for {action}: pass audit= to setup()")
