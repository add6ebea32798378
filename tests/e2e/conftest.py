"""End-to-end fixtures: one ``make serve`` per test session, with fake platform APIs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.tabik_server import BackgroundApps, TabikServer


@dataclass
class Fakes:
    apps: BackgroundApps
    graph: fake_whatsapp.FakeGraphApi
    bot_api: fake_telegram.FakeBotApi
    graph_port: int
    bot_api_port: int


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    apps = BackgroundApps()

    async def make() -> tuple[fake_whatsapp.FakeGraphApi, fake_telegram.FakeBotApi]:
        # Their asyncio primitives must belong to the background loop.
        return fake_whatsapp.FakeGraphApi(), fake_telegram.FakeBotApi()

    graph, bot_api = apps.run(make())
    fakes = Fakes(apps, graph, bot_api, apps.serve(graph.app()), apps.serve(bot_api.app()))
    yield fakes
    apps.close()


@pytest.fixture(scope="session")
def whatsapp_env(trained_model: Path, fakes: Fakes) -> dict[str, str]:
    """Settings of a Tabik serving the trained model, its WhatsApp on the fake Graph API."""
    return {**fake_whatsapp.channel_env(fakes.graph_port), "TABIK_MODEL": str(trained_model)}


@pytest.fixture(scope="session")
def tabik(
    tmp_path_factory: pytest.TempPathFactory, whatsapp_env: dict[str, str], fakes: Fakes
) -> Iterator[TabikServer]:
    """Tabik started with ``make serve`` and both channels on, pointed at the fakes."""
    env = {
        **whatsapp_env,
        "TELEGRAM_BOT_TOKEN": fake_telegram.BOT_TOKEN,
        "TELEGRAM_SECRET_TOKEN": fake_telegram.SECRET_TOKEN,
        "TELEGRAM_API_BASE": f"http://127.0.0.1:{fakes.bot_api_port}",
        # The REST channel drives most tests; off by default with channels configured.
        "TABIK_ENABLE_REST": "1",
    }
    with TabikServer(tmp_path_factory.mktemp("tabik-e2e"), env_overrides=env).running() as server:
        yield server
