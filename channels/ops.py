"""Operations endpoints on a Sanic server: ``/health``, ``/ready`` and ``/metrics``.

``OpsInput`` is a Rasa input channel that carries no messages; Rasa registers
its blueprint like any channel's, which is the one way to add routes to
``rasa run`` without forking it. Its ``url_prefix`` is ``/`` so the routes sit
at the root (``/ready``, what load balancers expect) and, for a proxy that only
forwards ``/webhooks/``, also under ``/webhooks/ops/``.

* ``/health``: the process answers (liveness); no dependency is touched.
* ``/ready``: the model is loaded and the database, the tracker store and
  Redis (when configured) answer within a timeout; 503 with the failing
  parts otherwise, so a load balancer stops sending webhooks here.
* ``/metrics``: Prometheus text format. Keep it behind the proxy: it is not
  routed to the internet.

``ops_blueprint`` is reusable on any Sanic app (the action server's), with the
probes that app needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import observability
from bot.adapters.health import Probe, readiness
from bot.config import get_settings
from channels.named_input import StandaloneInput

ROUTE_PREFIXES = ("", "/webhooks/ops")


def _model_loaded(request: Request) -> bool:
    agent = getattr(request.app.ctx, "agent", None)
    return bool(agent is not None and agent.is_ready())


def ops_blueprint(
    name: str,
    probes: Callable[[], Mapping[str, Probe]],
    *,
    model_check: Callable[[Request], bool] | None = None,
) -> Blueprint:
    """``/health``, ``/ready`` and ``/metrics`` at the root and under ``/webhooks/ops``.

    ``probes`` is called once, on the first readiness check, so nothing connects at start-up.
    """
    blueprint = Blueprint(name)
    made: dict[str, Mapping[str, Probe]] = {}

    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    async def ready(request: Request) -> HTTPResponse:
        if "probes" not in made:
            made["probes"] = probes()
        ok, details = await readiness(made["probes"])
        if model_check is not None:
            loaded = model_check(request)
            details["model"] = {"ok": loaded}
            ok = ok and loaded
        return response.json(
            {"status": "ready" if ok else "not ready", "checks": details},
            status=200 if ok else 503,
        )

    async def metrics(_: Request) -> HTTPResponse:
        body, content_type = observability.render()
        return response.raw(body, content_type=content_type)

    for prefix in ROUTE_PREFIXES:
        for path, handler in (("/health", health), ("/ready", ready), ("/metrics", metrics)):
            blueprint.add_route(
                handler,
                prefix + path,
                methods=["GET"],
                name=f"{'webhooks_ops' if prefix else 'root'}_{path.strip('/')}",
            )
    return blueprint


def instance_probes() -> Mapping[str, Probe]:
    """This instance's dependencies, from the composition root (Rasa's entry: the channel)."""
    from bot import bootstrap

    return bootstrap.readiness_probes(get_settings())


class OpsInput(StandaloneInput):
    """Rasa input channel that only serves the operations endpoints."""

    channel_name = "ops"

    def url_prefix(self) -> str:
        # Rasa joins this onto "/webhooks/"; an absolute "/" puts the routes at the root.
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return ops_blueprint("tabik_ops", instance_probes, model_check=_model_loaded)
