"""The admins' NLU API on the console: admin check, inbox review, deploy refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.domain.staff import Role, StaffAccount
from bot.services.labelled_examples import UnknownIntent
from bot.services.models import DeployRefused
from bot.services.nlu_inbox import InboxItem
from console import admin_nlu
from console.admin_tools import AdminTools
from console.parts import ADMIN_TOOLS, USER


class Inbox:
    def __init__(self) -> None:
        self.open = {7: "lampu jalan mati total"}

    def items(self) -> list[InboxItem]:
        return [
            InboxItem(i, t, "file_complaint", 0.41, 3, "fallback", datetime.now(timezone.utc))
            for i, t in self.open.items()
        ]

    def label(self, item_id: int, intent: str) -> str:
        if intent != "file_complaint":
            raise UnknownIntent(intent, ["file_complaint", "greet"])
        return self.open.pop(item_id)

    def ignore(self, item_id: int) -> None:
        self.open.pop(item_id)


class Models:
    def deploy(self, name: str, *, force: bool = False) -> list[Any]:
        raise DeployRefused(name, ["check_status"], "macro-F1 0.700 vs 0.800")


ADMIN = StaffAccount("admin", "Admin", Role.ADMIN, "-", datetime.now(timezone.utc), id=1)


@web.middleware
async def bearer_admin(request: web.Request, handler: Any) -> web.StreamResponse:
    """The console's authentication, reduced to one admin token."""
    if request.headers.get("Authorization") == "Bearer admin":
        request[USER] = ADMIN
    return await handler(request)  # type: ignore[no-any-return]


AUDITED: list[tuple[str, str]] = []


def call(authenticated: bool, steps: Callable[[TestClient], Awaitable[Any]]) -> Any:
    def audit(actor: str, action: str, subject: str, details: dict[str, Any]) -> None:
        AUDITED.append((action, subject))

    async def run() -> Any:
        app = web.Application(middlewares=[bearer_admin] if authenticated else [])
        app[ADMIN_TOOLS] = AdminTools(audit, Inbox(), Models())  # type: ignore[arg-type]
        admin_nlu.add_routes(app)
        async with TestClient(TestServer(app)) as client:
            return await steps(client)

    return asyncio.run(run())


def test_everything_is_refused_without_an_admin() -> None:
    async def steps(client: TestClient) -> int:
        return (await client.get("/api/nlu/inbox")).status

    assert call(False, steps) == 403


def test_admin_reviews_the_inbox() -> None:
    headers = {"Authorization": "Bearer admin"}

    async def steps(client: TestClient) -> list[Any]:
        seen = []
        seen.append((await client.get("/api/nlu/inbox")).status)
        listed = await (await client.get("/api/nlu/inbox", headers=headers)).json()
        wrong = await client.post(
            "/api/nlu/inbox/7/label", json={"intent": "lapor"}, headers=headers
        )
        right = await client.post(
            "/api/nlu/inbox/7/label", json={"intent": "file_complaint"}, headers=headers
        )
        after = await (await client.get("/api/nlu/inbox", headers=headers)).json()
        refused = await client.post("/api/models/tabik-x/deploy", json={}, headers=headers)
        return [
            seen,
            listed,
            wrong.status,
            await wrong.json(),
            right.status,
            after,
            refused.status,
            await refused.json(),
        ]

    seen, listed, wrong, wrong_body, right, after, refused, refused_body = call(True, steps)
    assert seen == [403]
    assert listed["items"][0] == {
        "id": 7,
        "text": "lampu jalan mati total",
        "intent": "file_complaint",
        "confidence": 0.41,
        "count": 3,
    }
    assert wrong == 422 and wrong_body["intents"] == ["file_complaint", "greet"]
    assert right == 200 and after == {"items": []}
    assert refused == 409 and refused_body["worse_intents"] == ["check_status"]
    assert AUDITED == [("nlu.labelled", "nlu-inbox:7"), ("model.deploy", "tabik-x")]


async def test_the_console_serves_the_api_to_admins_tokens_only(admin: Any) -> None:
    from bot.domain.staff import Role

    console = admin.console
    await console.account("petugas", Role.OFFICER, kabupaten_kota="Metro")
    refused = await console.client.get("/api/models", headers=await console.token("petugas"))
    assert refused.status == 403
    listed = await console.client.get("/api/models", headers=await console.token("admin"))
    assert [m["name"] for m in (await listed.json())["models"]] == ["tabik-aaaaaaaaaaaa"]
