"""The console application: ``init_app(parts)``, and ``python -m console`` on CONSOLE_PORT.

``init_app`` puts the parts under the keys of :mod:`console.parts`, adds the
session, the middleware and the templates, then the routes (:mod:`console.routes`).
"""

from __future__ import annotations

import logging
import os

from aiohttp import web
from aiohttp_session import setup as setup_session

from bot.bootstrap import build_model_service, build_nlu_inbox, build_outbox, build_staff_services
from bot.config import get_settings
from bot.domain.privacy import install_log_masking
from console.admin_tools import AdminTools
from console.live import setup_live
from console.middleware import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    SessionCookies,
    authenticate,
    not_found,
    photo_uploads,
    security_headers,
)
from console.parts import ADMIN_TOOLS, SERVICES, SETTINGS, ConsoleParts
from console.routes import setup_routes
from console.settings import ConsoleSettings
from console.templating import setup_templates


def init_app(parts: ConsoleParts) -> web.Application:
    app = web.Application(middlewares=[photo_uploads, security_headers])
    app[SERVICES] = parts.staff
    app[SETTINGS] = parts.settings
    app[ADMIN_TOOLS] = AdminTools(parts.staff.audit.record, parts.nlu_inbox, parts.models)
    setup_session(
        app,
        SessionCookies(
            parts.settings.fernet_key,
            cookie_name=SESSION_COOKIE,
            httponly=True,
            samesite="Lax",
            secure=parts.settings.secure_cookies,
            max_age=SESSION_MAX_AGE,
        ),
    )
    app.middlewares.extend([authenticate, not_found])
    setup_templates(app)
    setup_routes(app)
    setup_live(app)
    app.on_cleanup.append(_close)  # type: ignore[arg-type]
    return app


async def _close(app: web.Application) -> None:
    await app[SERVICES].close()


def console_parts() -> ConsoleParts:
    """The console's parts from the process's settings (its environment and ``.env``)."""
    settings = get_settings()
    console = ConsoleSettings.from_settings(settings)
    # Staff messages go into the outbox; the channels' senders in Rasa deliver them.
    outbox, outbox_engine = build_outbox(settings)
    staff = build_staff_services(settings, messenger=outbox, media_dir=console.media_dir)
    inbox, close_inbox = build_nlu_inbox(settings)
    # An entry point: Rasa's commands (training) run in this process's environment.
    models, models_engine = build_model_service(settings, environment=os.environ)

    async def dispose() -> None:
        close_inbox()
        for engine in (outbox_engine, models_engine):
            engine.dispose()

    staff.closers.append(dispose)
    return ConsoleParts(staff, console, nlu_inbox=inbox, models=models)


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    parts = console_parts()
    web.run_app(init_app(parts), port=parts.settings.port, access_log=None, print=None)
    return 0
