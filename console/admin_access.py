"""Only admins: the pages' check (403 and no link for anyone else), and the one way a model
is named in a URL."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web

from console.request_context import render, user_of

Errors = Sequence[dict[str, str]]
PageHandler = Callable[..., Awaitable[web.StreamResponse]]

# A model is named, never a path: no "/" or "." (``ModelFiles.find`` also takes a file
# path, for the shell; over the web that would load any .tar.gz on the host).
MODEL_NAME = "{name:[A-Za-z0-9][A-Za-z0-9_-]*}"


def admin_only(handler: PageHandler) -> PageHandler:
    """403 (a page, or JSON for the status route) for anyone but an admin."""

    @functools.wraps(handler)
    async def page(request: web.Request, *args: Any) -> web.StreamResponse:
        if not user_of(request).is_admin:
            if request.path.endswith("/status"):
                return web.json_response({"error": "Khusus admin."}, status=403)
            return render(
                request,
                "error.html",
                {"title": "Khusus admin", "message": "Halaman ini hanya untuk admin."},
                status=403,
            )
        return await handler(request, *args)

    return page


def not_configured(request: web.Request) -> web.Response:
    """503 where this console was started without the NLU inbox or the model service."""
    if request.path.startswith("/api/"):
        return web.json_response({"error": "Tidak tersedia di instans ini."}, status=503)
    return render(
        request,
        "error.html",
        {"title": "Tidak tersedia", "message": "Fitur ini tidak tersedia di instans ini."},
        status=503,
    )
