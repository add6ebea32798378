"""Rasa's conversation API as the console uses it: resume clears the handoff, retrying."""

from __future__ import annotations

from aiohttp import web

from bot.adapters.rasa_api import RasaApiError, RasaConversations


def _app(answers: list[int], seen: list[tuple[str, dict, object]]) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        seen.append((request.match_info["id"], dict(request.query), await request.json()))
        return web.json_response({}, status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/conversations/{id}/tracker/events", events)
    return app


async def test_resume_clears_the_handoff_slots(aiohttp_server):
    seen: list[tuple[str, dict, object]] = []
    server = await aiohttp_server(_app([], seen))
    rasa = RasaConversations(str(server.make_url("")), token="rahasia")
    try:
        await rasa.resume("wa:6281234")
    finally:
        await rasa.close()

    assert seen[0][0] == "wa:6281234" and seen[0][1]["token"] == "rahasia"
    assert seen[0][2] == [
        {"event": "resume"},
        {"event": "slot", "name": "handoff_reference", "value": None},
        {"event": "slot", "name": "handoff_acknowledged_at", "value": None},
    ]


async def test_a_short_outage_is_retried(aiohttp_server):
    seen: list[tuple[str, dict, object]] = []
    server = await aiohttp_server(_app([503, 200], seen))
    rasa = RasaConversations(str(server.make_url("")), backoff=0.01)
    try:
        await rasa.resume("wa:1")
    finally:
        await rasa.close()
    assert len(seen) == 2


async def test_a_refusal_is_an_error_with_its_status(aiohttp_server):
    seen: list[tuple[str, dict, object]] = []
    server = await aiohttp_server(_app([401, 401, 401], seen))
    rasa = RasaConversations(str(server.make_url("")), backoff=0.01)
    try:
        await rasa.resume("wa:1")
    except RasaApiError as error:
        assert error.status == 401
    else:
        raise AssertionError("a 401 must raise")
    finally:
        await rasa.close()
    assert len(seen) == 3
