"""The console with an admin logged in, the real NLU inbox and the quick model service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.domain.staff import Role, StaffAccount
from console.parts import ADMIN_TOOLS
from tests.console.doubles import QuickModels, Residents, admin_tools, rasa_instance
from tests.staff_console.conftest import (  # noqa: F401
    Console,
    console,
    console_template,
    make_console,
)


@dataclass
class Admin:
    console: Console
    account: StaffAccount
    models: QuickModels
    residents: Residents
    labelled: Path

    async def get(self, path: str) -> tuple[int, str]:
        response = await self.console.client.get(path)
        return response.status, await response.text()

    async def post(self, path: str, **data: str) -> tuple[int, str]:
        """A form sent as the page sends it (with the session's CSRF token)."""
        token = await self.console.csrf("/antrean")
        response = await self.console.client.post(
            path, data={"csrf_token": token, **data}, allow_redirects=False
        )
        return response.status, await response.text()

    async def job(self, timeout: float = 20) -> dict[str, Any]:
        """The job's state once it is no longer running."""
        for _ in range(int(timeout / 0.05)):
            body = await (await self.console.client.get("/admin/model/status")).json()
            if body["job"] and body["job"]["state"] != "running":
                return body["job"]  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)
        raise AssertionError(f"job still running: {body}")

    async def audited(self) -> list[str]:
        entries = await self.console.staff.audit.entries(self.account, limit=100)
        return [f"{e['action']} {e['ticket']}" for e in entries]


@pytest.fixture
async def admin(
    console: Console,  # noqa: F811
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> Admin:
    """Two Rasa instances, both up and running the model RUNNING."""
    up = [await aiohttp_server(rasa_instance()) for _ in range(2)]
    urls = [str(server.make_url("")).rstrip("/") for server in up]
    inbox, models, residents = admin_tools(str(console.staff.engine.url), tmp_path, urls)
    app = console.client.app
    assert app is not None
    app[ADMIN_TOOLS].inbox, app[ADMIN_TOOLS].models = inbox, models
    account = await console.account("admin", Role.ADMIN)
    assert await console.login("admin") == 302
    return Admin(console, account, models, residents, inbox.examples.path)
