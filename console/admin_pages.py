"""Admins' pages: the NLU inbox (label, ignore) and the models (train, evaluate, deploy, roll back).

Only admins: anyone else gets 403 and no link. Every action is audited (see
:mod:`console.admin_tools`); forms carry the console's CSRF token like every other
form. Training, evaluating, deploying and rolling back run as one job at a time in
a worker thread; the page polls ``/admin/model/status`` for its progress.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.services.labelled_examples import AlreadyLabelled, HeldOutExample, UnknownIntent
from bot.services.nlu_inbox import InboxItemNotFound
from console.admin_access import MODEL_NAME, Errors, PageHandler, admin_only, not_configured
from console.admin_tools import NotConfigured
from console.model_jobs import JobRunning
from console.request_context import admin_tools, render, user_of

routes = web.RouteTableDef()

REASON_WORDS = {
    "fallback": "Tidak dipahami",
    "out_of_scope": "Di luar layanan",
    "low_confidence": "Keyakinan rendah",
    "corrected": "Dikoreksi warga",
}
VERDICT_WORDS = {"better": "Lebih baik", "same": "Setara", "worse": "Lebih buruk"}
JOB_WORDS = {
    "train": "Pelatihan kandidat",
    "evaluate": "Evaluasi",
    "deploy": "Pemasangan model",
    "rollback": "Pengembalian model",
}
STATE_WORDS = {
    "running": "Sedang berjalan",
    "done": "Selesai",
    "failed": "Gagal",
    "refused": "Ditolak",
    "partial": "Sebagian gagal",
}
WORDS = {
    "reason_words": REASON_WORDS,
    "verdict_words": VERDICT_WORDS,
    "job_words": JOB_WORDS,
    "state_words": STATE_WORDS,
}


def route(method: str, path: str) -> Callable[[PageHandler], PageHandler]:
    """Register the admins-only handler and keep its own signature (pages call each other
    with errors); 503 on a console without the inbox or the models."""

    def register(handler: PageHandler) -> PageHandler:
        @functools.wraps(handler)
        async def page(request: web.Request, *args: Any) -> web.StreamResponse:
            try:
                return await handler(request, *args)
            except NotConfigured:
                return not_configured(request)

        guarded = admin_only(page)
        routes.route(method, path)(guarded)
        return guarded

    return register


# ------------------------------------------------------------------- inbox


def _render(
    request: web.Request, template: str, context: dict[str, Any], errors: Errors, status: int
) -> web.Response:
    job = admin_tools(request).jobs.current
    context.update(WORDS, job=job.as_json() if job else None, errors=errors)
    return render(request, template, context, status=status)


@route("GET", "/admin/nlu")
async def inbox(request: web.Request, errors: Errors = (), status: int = 200) -> web.Response:
    items, suggestions, intents = await admin_tools(request).review()
    found = {"items": items, "suggestions": suggestions, "intents": intents, "done": request.query}
    return _render(request, "nlu_inbox.html", found, errors, status)


@route("POST", "/admin/nlu/{id:\\d+}/label")
async def label(request: web.Request) -> web.StreamResponse:
    item_id = int(request.match_info["id"])
    intent = str((await request.post()).get("intent") or "").strip()
    tools = admin_tools(request)
    field = f"intent-{item_id}"
    try:
        text = await tools.label(item_id, intent)
    except UnknownIntent as error:
        words = f"Intent “{intent}” tidak dikenal. Pilih salah satu: {', '.join(error.known)}."
        return await inbox(request, [{"field": field, "text": words}], 422)
    except HeldOutExample:
        words = "Pesan ini ada di data uji; data uji tidak pernah menjadi data latih."
        return await inbox(request, [{"field": field, "text": words}], 409)
    except AlreadyLabelled as error:
        words = f"Pesan ini sudah diberi label {error.intent}."
        return await inbox(request, [{"field": field, "text": words}], 409)
    except InboxItemNotFound:
        words = "Pesan ini sudah tidak ada di kotak masuk (mungkin sudah ditangani admin lain)."
        return await inbox(request, [{"field": "isi", "text": words}], 404)
    await tools.audit(user_of(request), "nlu.labelled", f"nlu-inbox:{item_id}", intent=intent)
    done = urlencode({"selesai": "label", "intent": intent, "teks": text[:120]})
    raise web.HTTPSeeOther(f"/admin/nlu?{done}")


@route("POST", "/admin/nlu/{id:\\d+}/abaikan")
async def ignore(request: web.Request) -> web.StreamResponse:
    item_id = int(request.match_info["id"])
    try:
        await admin_tools(request).ignore(item_id)
    except InboxItemNotFound:
        words = "Pesan ini sudah tidak ada di kotak masuk (mungkin sudah ditangani admin lain)."
        return await inbox(request, [{"field": "isi", "text": words}], 404)
    await admin_tools(request).audit(user_of(request), "nlu.ignored", f"nlu-inbox:{item_id}")
    raise web.HTTPSeeOther("/admin/nlu?selesai=abaikan")


# ------------------------------------------------------------------ models


@route("GET", "/admin/model")
async def models(request: web.Request, errors: Errors = (), status: int = 200) -> web.Response:
    tools = admin_tools(request)
    listing = await tools.list_models()
    instances = tools.instances(listing)
    found = {
        "models": list(reversed(listing)),  # newest first
        "instances": instances,
        "mismatch": len({i["model"] for i in instances}) > 1,
    }
    return _render(request, "models.html", found, errors, status)


@route("GET", "/admin/model/status")
async def job_status(request: web.Request) -> web.Response:
    job = admin_tools(request).jobs.current
    return web.json_response({"job": job.as_json() if job else None})


async def _start(
    request: web.Request, kind: str, name: str | None, *, force: bool = False
) -> web.StreamResponse:
    """Start a job, then back to the page that shows it; 409 there while another runs."""
    try:
        admin_tools(request).jobs.start(kind, user_of(request).actor, name, force=force)
    except JobRunning as running:
        job = running.job
        words = (
            f"{JOB_WORDS[job.kind]} oleh {job.actor.removeprefix('staff:')} masih berjalan"
            f" sejak {job.started_at:%H.%M.%S} UTC. Tunggu sampai selesai, lalu coba lagi."
        )
        errors = [{"field": "pekerjaan", "text": words}]
        return await (model if name else models)(request, errors, 409)
    back = f"/admin/model/{name}" if name else "/admin/model"
    raise web.HTTPSeeOther(back)


@route("POST", "/admin/model/latih")
async def train(request: web.Request) -> web.StreamResponse:
    return await _start(request, "train", None)


@route("POST", "/admin/model/kembalikan")
async def rollback(request: web.Request) -> web.StreamResponse:
    return await _start(request, "rollback", None)


@route("GET", f"/admin/model/{MODEL_NAME}")
async def model(request: web.Request, errors: Errors = (), status: int = 200) -> web.Response:
    tools = admin_tools(request)
    name = request.match_info["name"]
    listing, evaluation = await tools.model(name)
    entry = next((m for m in listing if m["name"] == name), None)
    if entry is None:
        return render(
            request,
            "error.html",
            {"title": "Model tidak ditemukan", "message": f"Tidak ada model {name}."},
            status=404,
        )
    found = {"m": entry, "evaluation": evaluation, "instances": tools.instances(listing)}
    return _render(request, "model.html", found, errors, status)


@route("POST", f"/admin/model/{MODEL_NAME}/evaluasi")
async def evaluate(request: web.Request) -> web.StreamResponse:
    return await _start(request, "evaluate", request.match_info["name"])


@route("POST", f"/admin/model/{MODEL_NAME}/pasang")
async def deploy(request: web.Request) -> web.StreamResponse:
    force = (await request.post()).get("force") == "1"
    return await _start(request, "deploy", request.match_info["name"], force=force)


def add_routes(app: web.Application) -> None:
    app.router.add_routes(routes)
