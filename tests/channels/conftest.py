"""Fixtures for the channel tests: fake platform servers and channels pointed at them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.kv import MemoryStore
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import (
    TELEGRAM_OVERALL,
    TELEGRAM_PER_CHAT,
    WHATSAPP_PAIR,
    WHATSAPP_THROUGHPUT,
    Limit,
    MemoryRateLimiter,
)
from bot.bootstrap import channel_stores
from bot.config import TelegramSettings, WhatsAppSettings
from bot.services.key_value import KeyValueStore
from bot.services.tabik import Tabik
from channels.inbound import Inbound
from channels.queues import ChannelQueues
from channels.retry import RetryPolicy
from channels.telegram import TelegramInput
from channels.text import Replies
from channels.whatsapp import GraphClient, WhatsAppInput
from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.fake_telegram import FakeBotApi
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.outbox import Clock, database_from, make_tabik, migrated_template
from tests.auxil.sanic_app import Script, Served, echo, served


def roomy(limit: Limit) -> Limit:
    """A platform limit widened: real limits are tested in tests/adapters/test_rate_limit.py
    and tests that pace on purpose; elsewhere they would only slow the tests."""
    return replace(limit, rate=1000.0, burst=1000)


def assert_shared_photo(inbound: Inbound | None, attachment_id: str, caption: str) -> None:
    """A photo reaches Rasa as ``/share_photo`` with its attachment id, caption and type."""
    assert inbound is not None
    assert inbound.text == f'/share_photo{{"attachment_id": "{attachment_id}"}}'
    assert inbound.metadata["attachment"] == {
        "kind": "photo",
        "id": attachment_id,
        "mime_type": "image/jpeg",
        "caption": caption,
    }


class RecordedSleeps:
    """Stands in for asyncio.sleep in retry policies: records the delay, does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def fast_retry(sleeps: RecordedSleeps) -> RetryPolicy:
    return RetryPolicy(
        attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=60, sleep=sleeps
    )


@pytest.fixture(scope="session")
def messaging_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("messaging-template"))


@pytest.fixture
def database_url(messaging_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite database: the channels' stores and the system of record share it."""
    return database_from(messaging_template, tmp_path)


@pytest.fixture
def queues(database_url: str) -> Iterator[ChannelQueues]:
    """The channels' stores, polled fast."""
    made = ChannelQueues.on(channel_stores(database_url), turn_timeout=10, poll_interval=0.02)
    yield made
    made.close()


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """Where the channel under test keeps the photos it downloads."""
    return tmp_path / "media"


@pytest.fixture
def script() -> Script:
    """What the scripted agent answers; a test parametrises it to answer otherwise."""
    return echo


@pytest.fixture
def served_platform(request: pytest.FixtureRequest) -> tuple[type[Served[Any]], Any, Any]:
    """The test module's ``Harness`` class, its channel and its fake platform API.

    ``Harness.fixtures`` names the fixtures of the channel and of the fake API. (A plain
    fixture: async fixtures cannot be requested by name from inside an async one.)
    """
    kind = request.module.Harness
    channel_fixture, api_fixture = kind.fixtures
    fake, _ = request.getfixturevalue(api_fixture)
    return kind, request.getfixturevalue(channel_fixture), fake


@pytest.fixture
async def harness(
    served_platform: tuple[type[Served[Any]], Any, Any], script: Script
) -> AsyncIterator[Served[Any]]:
    """The module's channel served with ``script``, wrapped in the module's ``Harness``."""
    kind, channel, fake = served_platform
    async with served(kind, channel, fake, script) as serving:
        yield serving


@pytest.fixture
def replies() -> Replies:
    return Replies.load()


@pytest.fixture
def store() -> KeyValueStore:
    return MemoryStore(prefix="channels-test:")


@pytest.fixture
async def graph_api(aiohttp_server: Any) -> AsyncIterator[tuple[FakeGraphApi, str]]:
    fake = FakeGraphApi()
    server = await aiohttp_server(fake.app())
    yield fake, str(server.make_url(f"/{fake_whatsapp.API_VERSION}")).rstrip("/")


@pytest.fixture
async def bot_api(aiohttp_server: Any) -> AsyncIterator[tuple[FakeBotApi, str]]:
    fake = FakeBotApi()
    server = await aiohttp_server(fake.app())
    yield fake, str(server.make_url("/")).rstrip("/")


@pytest.fixture
def whatsapp_settings(graph_api: tuple[FakeGraphApi, str]) -> WhatsAppSettings:
    return WhatsAppSettings(
        verify_token=fake_whatsapp.VERIFY_TOKEN,
        app_secret=fake_whatsapp.APP_SECRET,
        access_token=fake_whatsapp.ACCESS_TOKEN,
        phone_number_id=fake_whatsapp.PHONE_NUMBER_ID,
        api_base=graph_api[1],
    )


@pytest.fixture
async def whatsapp(
    whatsapp_settings: WhatsAppSettings,
    store: KeyValueStore,
    replies: Replies,
    fast_retry: RetryPolicy,
    queues: ChannelQueues,
    media_dir: Path,
) -> AsyncIterator[WhatsAppInput]:
    client = GraphClient(
        whatsapp_settings,
        retry=fast_retry,
        pair_rate_delay=0.02,
        limiter=MemoryRateLimiter(),
        throughput=roomy(WHATSAPP_THROUGHPUT),
        pair=roomy(WHATSAPP_PAIR),
    )
    channel = WhatsAppInput(
        whatsapp_settings,
        store=store,
        replies=replies,
        client=client,
        queues=queues,
        media=PlatformMedia(media_dir, whatsapp=whatsapp_settings),
    )
    yield channel
    await channel.stop_workers()
    await client.close()


TelegramFactory = Callable[..., TelegramInput]


@pytest.fixture
async def make_telegram(
    bot_api: tuple[FakeBotApi, str],
    store: KeyValueStore,
    replies: Replies,
    fast_retry: RetryPolicy,
    queues: ChannelQueues,
    media_dir: Path,
) -> AsyncIterator[TelegramFactory]:
    made: list[TelegramInput] = []

    def make(
        secret: str | None = fake_telegram.SECRET_TOKEN,
        per_chat: Limit = roomy(TELEGRAM_PER_CHAT),
        **kwargs: Any,
    ) -> TelegramInput:
        settings = TelegramSettings(
            bot_token=fake_telegram.BOT_TOKEN, secret_token=secret, api_base=bot_api[1]
        )
        options: dict[str, Any] = {
            "store": store,
            "replies": replies,
            "retry": fast_retry,
            "limiter": MemoryRateLimiter(),
            "queues": queues,
            "media": PlatformMedia(media_dir, telegram=settings),
            **kwargs,
        }
        channel = TelegramInput(settings, **options)
        channel.output.per_chat = per_chat
        channel.output.overall = roomy(TELEGRAM_OVERALL)
        made.append(channel)
        return channel

    yield make
    for channel in made:
        await channel.stop_workers()
        await channel.api.close()


@pytest.fixture
def telegram(make_telegram: TelegramFactory) -> TelegramInput:
    return make_telegram()


# --------------------------------------------------------------------------- status notices


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tabik(database_url: str, clock: Clock) -> Iterator[Tabik]:
    tabik, engine = make_tabik(database_url, clock)
    yield tabik
    engine.dispose()


@dataclass
class StatusWorld:
    """The system of record, whose status changes queue the residents' notices, both
    channels' senders running (as in Rasa's process) and the fake platforms they deliver to."""

    tabik: Tabik
    messaging: ChannelQueues  # the channels' queues
    clock: Clock
    meta: FakeGraphApi
    bot: FakeBotApi


@pytest.fixture
async def world(
    tabik: Tabik,
    queues: ChannelQueues,
    clock: Clock,
    whatsapp: WhatsAppInput,
    telegram: TelegramInput,
    graph_api: tuple[FakeGraphApi, str],
    bot_api: tuple[FakeBotApi, str],
) -> AsyncIterator[StatusWorld]:
    whatsapp.start_workers()
    telegram.start_workers()
    yield StatusWorld(tabik, queues, clock, graph_api[0], bot_api[0])
    await whatsapp.stop_workers()
    await telegram.stop_workers()
