"""Every URL of the console, by view module."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from console import (
    admin_agencies,
    admin_nlu,
    admin_pages,
    admin_privacy,
    api,
    figure_pages,
    forward_page,
    pages,
)

STATIC = Path(__file__).with_name("static")


def setup_routes(app: web.Application) -> None:
    pages.add_routes(app)
    api.add_routes(app)
    forward_page.add_routes(app)
    admin_nlu.add_routes(app)
    admin_pages.add_routes(app)
    admin_privacy.add_routes(app)
    admin_agencies.add_routes(app)
    figure_pages.add_routes(app)
    app.router.add_static("/static/", STATIC)
