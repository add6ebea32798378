"""The action server (rasa-sdk) as Tabik runs it: loopback by default, closed by a token.

rasa-sdk's own ``rasa run actions`` listens on every interface and runs any
tracker anyone posts to ``/webhook``. Here the app is rasa-sdk's, but every
route except ``/health`` and ``/ready`` requires ``ACTIONS_TOKEN`` in the ``X-Tabik-Actions-Token``
header (Rasa sends it: the launcher writes it into the action endpoint's
headers), and the server binds ``ACTIONS_HOST`` (``127.0.0.1`` unless changed).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import logging.config
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import bootstrap
from bot.adapters.health import Probe, readiness
from bot.config import get_settings

logger = logging.getLogger("tabik.actions")

TOKEN_HEADER = "X-Tabik-Actions-Token"  # noqa: S105 - a header name
# Load balancers and orchestrators probe these without the token; they tell nothing secret.
OPEN_PATHS = frozenset({"/health", "/ready"})
LOGGING_CONFIG = Path(__file__).with_name("logging.yml")


def action_probes() -> Mapping[str, Probe]:
    """What the actions need: the system of record, and Redis when it is configured
    (Rasa's tracker store is Rasa's to check)."""
    probes = bootstrap.readiness_probes(get_settings())
    return {name: probe for name, probe in probes.items() if name != "tracker_store"}


def build_app(
    token: str,
    *,
    actions_package: str = "actions",
    probes: Callable[[], Mapping[str, Probe]] = action_probes,
) -> Sanic:
    """rasa-sdk's app with the token check in front and no CORS (no browser calls it).

    ``/ready`` answers 200 when the actions' dependencies answer within 2 s, else 503
    naming the kind of failure (never a URL); ``probes`` are made on the first check.
    """
    if not token:
        raise ValueError("the action server needs a token")
    expected = token.encode("utf-8")
    app = create_app(actions_package, cors_origins="")
    made: dict[str, Mapping[str, Probe]] = {}

    @app.get("/ready")
    async def ready(_: Request) -> HTTPResponse:
        if "probes" not in made:
            made["probes"] = probes()
        ok, details = await readiness(made["probes"])
        return response.json(
            {"status": "ready" if ok else "not ready", "checks": details},
            status=200 if ok else 503,
        )

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER)
        if not given:
            return response.json({"error": "unauthorised"}, status=401)
        if not hmac.compare_digest(given.encode("utf-8"), expected):
            logger.warning("action server call with a wrong token refused")
            return response.json({"error": "forbidden"}, status=403)
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        # rasa-sdk's handler echoes the request body (a whole tracker, NIKs included).
        logger.error("action call %s failed", request.path, exc_info=exception)
        return response.json({"error": type(exception).__name__}, status=500)

    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.entrypoints.action_server")
    parser.add_argument("--actions", default="actions", help="package holding the actions")
    parser.add_argument("--logging-config-file", default=str(LOGGING_CONFIG))
    args = parser.parse_args(argv)
    config: dict[str, Any] = yaml.safe_load(Path(args.logging_config_file).read_text())
    logging.config.dictConfig(config)
    settings = get_settings()
    token = settings.actions_token or ""
    if not token:
        print("ACTIONS_TOKEN is not set: the action server will not run open.", file=sys.stderr)
        return 2
    # The actions' services, built once for the process (bot.bootstrap.action_server).
    bootstrap.install_action_server(bootstrap.for_action_server(settings))
    app = build_app(token, actions_package=args.actions)
    logger.info("Action server on %s:%s", settings.actions_host, settings.actions_port)
    app.run(settings.actions_host, settings.actions_port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
