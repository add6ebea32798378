"""Rasa's conversation API as the console uses it: read since a moment, resume with a listen."""

from __future__ import annotations

from datetime import datetime, timezone

from aiohttp import web

from bot.adapters.rasa_api import RasaApiError, RasaConversations


async def test_messages_since_and_resume(aiohttp_server):
    seen: list[tuple[str, str, dict, object]] = []

    async def tracker(request: web.Request) -> web.Response:
        seen.append(("GET", request.match_info["id"], dict(request.query), None))
        return web.json_response(
            {
                "events": [
                    {"event": "user", "text": "sebelum", "timestamp": 100.0},
                    {"event": "user", "text": "halo petugas", "timestamp": 200.0},
                    {"event": "action", "name": "action_listen", "timestamp": 201.0},
                    {"event": "bot", "text": "Baik.", "timestamp": 202.0},
                ]
            }
        )

    async def events(request: web.Request) -> web.Response:
        seen.append(("POST", request.match_info["id"], dict(request.query), await request.json()))
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/conversations/{id}/tracker", tracker)
    app.router.add_post("/conversations/{id}/tracker/events", events)
    server = await aiohttp_server(app)
    rasa = RasaConversations(str(server.make_url("")), token="rahasia")
    try:
        since = datetime.fromtimestamp(150.0, timezone.utc)
        found = await rasa.messages("wa:6281234", since=since)
        await rasa.resume("wa:6281234")
    finally:
        await rasa.close()

    assert [(role, text) for role, text, _ in found] == [("user", "halo petugas"), ("bot", "Baik.")]
    assert seen[0][1] == "wa:6281234" and seen[0][2]["token"] == "rahasia"
    assert seen[1][3] == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


async def test_a_refusal_is_an_error_with_its_status(aiohttp_server):
    app = web.Application()
    app.router.add_get(
        "/conversations/{id}/tracker", lambda request: web.json_response({}, status=401)
    )
    server = await aiohttp_server(app)
    rasa = RasaConversations(str(server.make_url("")))
    try:
        await rasa.messages("wa:1", since=datetime.now(timezone.utc))
    except RasaApiError as error:
        assert error.status == 401
    else:
        raise AssertionError("a 401 must raise")
    finally:
        await rasa.close()
