"""The ticket page's forward to another agency (the form in ``_forward.html``)."""

from __future__ import annotations

from aiohttp import web

from bot.domain.routing import ForwardRefused
from bot.domain.scope import may_see_ticket
from console import pages
from console.errors import NOT_FOUND_ERRORS
from console.request_context import services, user_of


async def forward(request: web.Request) -> web.Response:
    user = user_of(request)
    number = request.match_info["number"]
    form = await request.post()
    disposition = services(request).disposition
    try:
        page = await disposition.forward(
            user,
            number,
            str(form.get("agency") or ""),
            str(form.get("reason") or ""),
            str(form.get("note") or ""),
        )
    except NOT_FOUND_ERRORS:
        raise  # the 404 page (a malformed number is a ValueError too)
    except ForwardRefused as error:
        errors = [{"field": "agency", "text": disposition.refusal(error)}]
        return await pages.ticket(request, errors, status=422)
    if may_see_ticket(user, page.item):
        raise web.HTTPSeeOther(f"/tiket/{page.item.number}?diteruskan=1")
    # Handed to another agency: it left this officer's queue.
    raise web.HTTPSeeOther(f"/antrean?diteruskan={page.item.number}")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/tiket/{number}/teruskan", forward)
