"""The action server and Rasa's API are closed by tokens that never show on a command line."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from bot.adapters.health import DatabaseProbe
from bot.entrypoints import action_server, rasa_server

TOKEN = "actions-token-for-tests"


@contextlib.asynccontextmanager
async def serving(actions_package: str, **options: Any) -> AsyncIterator[str]:
    Sanic.test_mode = True  # several apps named "rasa_sdk" in one test process
    app = action_server.build_app(TOKEN, actions_package=actions_package, **options)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        sock.close()


@pytest.fixture
async def actions_url() -> AsyncIterator[str]:
    async with serving("actions") as url:
        yield url


def action_call(name: str) -> dict[str, Any]:
    return {
        "next_action": name,
        "sender_id": "wa:6281234567890",
        "tracker": {
            "sender_id": "wa:6281234567890",
            "slots": {},
            "events": [],
            "latest_message": {},
            "active_loop": {},
        },
        "domain": {},
        "version": "3.6.21",
    }


async def test_the_action_server_refuses_callers_without_the_token(actions_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{actions_url}/health") as answer:
            assert answer.status == 200  # health checks stay open
        body = json.dumps(action_call("action_check_status"))
        async with http.post(f"{actions_url}/webhook", data=body) as answer:
            assert answer.status == 401
        wrong = {action_server.TOKEN_HEADER: "guess"}
        async with http.post(f"{actions_url}/webhook", data=body, headers=wrong) as answer:
            assert answer.status == 403
        async with http.get(f"{actions_url}/actions") as answer:
            assert answer.status == 401
        right = {action_server.TOKEN_HEADER: TOKEN}
        unknown = json.dumps(action_call("action_that_does_not_exist"))
        async with http.post(f"{actions_url}/webhook", data=unknown, headers=right) as answer:
            assert answer.status == 404  # past the check: rasa-sdk's own answer
        async with http.get(f"{actions_url}/actions", headers=right) as answer:
            names = {a["name"] for a in await answer.json()}
            assert "action_check_status" in names


async def test_readiness_is_open_and_names_what_failed(tmp_path: Path) -> None:
    healthy = {"database": DatabaseProbe(f"sqlite:///{tmp_path / 'ok.db'}")}

    async def refused() -> None:
        raise ConnectionRefusedError("redis://:secret@example:6379")

    async with serving("actions", probes=lambda: healthy) as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/ready") as answer:  # no token: probes need none
            assert answer.status == 200
            assert (await answer.json())["checks"]["database"]["ok"] is True
    broken = {**healthy, "redis": refused}
    async with serving("actions", probes=lambda: broken) as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/ready") as answer:
            body = await answer.text()
            assert answer.status == 503
            assert "ConnectionRefusedError" in body and "secret" not in body


async def test_a_failing_action_does_not_echo_the_tracker() -> None:
    call = action_call("action_that_fails")
    call["tracker"]["slots"] = {"nik": "1871011508900001"}
    async with serving("tests.auxil.failing_actions") as url, aiohttp.ClientSession() as http:
        headers = {action_server.TOKEN_HEADER: TOKEN}
        async with http.post(f"{url}/webhook", json=call, headers=headers) as answer:
            assert answer.status == 500
            assert "1871011508900001" not in await answer.text()


def test_an_action_server_without_a_token_is_not_built() -> None:
    with pytest.raises(ValueError):
        action_server.build_app("")


def test_the_rasa_api_token_is_added_inside_the_process() -> None:
    argv = ["run", "--enable-api", "--port", "5005"]
    assert rasa_server.rasa_arguments(argv, {"RASA_API_TOKEN": "s3"}) == [
        *argv,
        "--auth-token",
        "s3",
    ]
    assert rasa_server.rasa_arguments(argv, {}) == argv
    with pytest.raises(SystemExit):
        rasa_server.rasa_arguments([*argv, "--auth-token", "visible"], {})
