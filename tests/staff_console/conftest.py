"""The console app on a migrated SQLite database, with in-memory messenger and Rasa."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.adapters.db import migrate
from bot.bootstrap import StaffServices
from bot.domain.staff import Role, StaffAccount
from console.main import init_app
from console.parts import ConsoleParts
from console.settings import ConsoleSettings
from tests.auxil.staff import PASSWORD, Clock, FakeConversations, FakeMessenger, build

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def console_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@dataclass
class Console:
    client: TestClient
    staff: StaffServices
    messenger: FakeMessenger
    conversations: FakeConversations
    clock: Clock

    async def account(self, username: str, role: Role, **area: str) -> StaffAccount:
        return await self.staff.accounts.add(username, role=role, password=PASSWORD, **area)

    async def csrf(self, path: str = "/login") -> str:
        response = await self.client.get(path)
        match = CSRF.search(await response.text())
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    async def login(self, username: str, password: str = PASSWORD) -> int:
        token = await self.csrf()
        response = await self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            allow_redirects=False,
        )
        return response.status

    async def token(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.staff.accounts.issue_token(username)}"}


ConsoleFactory = Callable[..., Awaitable[Console]]


@pytest.fixture
async def make_console(
    console_template: Path,
    tmp_path: Path,
    aiohttp_client: Callable[..., Awaitable[TestClient]],
) -> ConsoleFactory:
    """A console on its own database; ``settings`` and ``build`` options may be given
    (trusted proxies, secure cookies, a key-value store)."""

    async def make(**options: Any) -> Console:
        database = tmp_path / "tabik.db"
        shutil.copy(console_template, database)
        clock, messenger, conversations = Clock(), FakeMessenger(), FakeConversations()
        store = options.pop("store", None)
        staff = build(
            f"sqlite:///{database}",
            clock=clock,
            messenger=messenger,
            conversations=conversations,
            **({"store": store} if store is not None else {}),
        )
        settings = ConsoleSettings(
            port=0, secret_key="test-secret", media_dir=tmp_path / "media", **options
        )
        client = await aiohttp_client(init_app(ConsoleParts(staff, settings)))
        return Console(client, staff, messenger, conversations, clock)

    return make


@pytest.fixture
async def console(make_console: ConsoleFactory) -> AsyncIterator[Console]:
    yield await make_console()
