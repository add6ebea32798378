"""Two instances of the WhatsApp channel on one PostgreSQL, as behind a load balancer.

Each is a real Sanic app serving the webhook; deliveries alternate between them,
and a duplicate goes to both at once. Rasa is a scripted stand-in shared by both
(so it can see whether one resident's turns ever overlap across instances); the
Graph API is the local fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.adapters.db import migrate
from bot.adapters.kv import MemoryStore
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import MemoryRateLimiter
from bot.bootstrap import channel_stores
from bot.config import WhatsAppSettings
from channels.queues import ChannelQueues
from channels.retry import RetryPolicy
from channels.whatsapp import GraphClient, WhatsAppInput
from tests.auxil import fake_whatsapp as meta
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.sanic_app import ScriptedAgent, serve

pytestmark = pytest.mark.postgres

RESIDENTS = 20
MESSAGES = 4


@pytest.fixture
async def graph(aiohttp_server: Any) -> AsyncIterator[tuple[FakeGraphApi, str]]:
    fake = FakeGraphApi()
    server = await aiohttp_server(fake.app())
    yield fake, str(server.make_url(f"/{meta.API_VERSION}")).rstrip("/")


def instance(url: str, api_base: str, name: str) -> WhatsAppInput:
    settings = WhatsAppSettings(
        verify_token=meta.VERIFY_TOKEN,
        app_secret=meta.APP_SECRET,
        access_token=meta.ACCESS_TOKEN,
        phone_number_id=meta.PHONE_NUMBER_ID,
        api_base=api_base,
    )
    return WhatsAppInput(
        settings,
        store=MemoryStore(prefix=f"{name}:"),
        client=GraphClient(
            settings,
            retry=RetryPolicy(base_delay=0.01, max_delay=0.05),
            limiter=MemoryRateLimiter(),
        ),
        queues=ChannelQueues.on(channel_stores(url), poll_interval=0.02, instance=name),
        # Text only: no photo is downloaded.
        media=PlatformMedia(Path(tempfile.gettempdir()) / "tabik-media", whatsapp=settings),
    )


async def test_alternating_instances_answer_every_message_once_and_in_order(
    postgres_schema_factory: Callable[[], str], graph: tuple[FakeGraphApi, str]
) -> None:
    url = postgres_schema_factory()
    migrate.upgrade(url)
    fake, api_base = graph
    channels = [instance(url, api_base, "host-a:5005"), instance(url, api_base, "host-b:5005")]
    agent = ScriptedAgent(delay=0.005)  # one Rasa, as both instances share the tracker store
    residents = [f"628150{n:06d}" for n in range(RESIDENTS)]

    async with contextlib.AsyncExitStack() as stack:
        urls = [await stack.enter_async_context(serve(c, agent)) for c in channels]
        http = await stack.enter_async_context(aiohttp.ClientSession())

        async def post(target: str, payload: dict[str, Any]) -> int:
            body, headers = meta.signed(payload)
            async with http.post(f"{target}/webhook", data=body, headers=headers) as answer:
                return answer.status

        for k in range(MESSAGES):  # each resident's k-th message after their (k-1)-th
            statuses = await asyncio.gather(
                *(
                    post(urls[(n + k) % 2], meta.delivery(meta.text(f"pesan {k}", wa_id)))
                    for n, wa_id in enumerate(residents)
                )
            )
            assert set(statuses) == {200}
        twin = meta.delivery(meta.text("kembar", residents[0], message_id="wamid.TWIN"))
        assert await asyncio.gather(post(urls[0], twin), post(urls[1], twin)) == [200, 200]

        for channel in channels:
            await channel.queues.settled(timeout=60)
        for channel in channels:
            await channel.stop_workers()
            await channel.client.close()

    for n, wa_id in enumerate(residents):
        texts = [m["text"]["body"] for m in fake.sent if m["to"] == wa_id]
        expected = [f"echo: pesan {k}" for k in range(MESSAGES)]
        assert texts == ([*expected, "echo: kembar"] if n == 0 else expected)
    assert max(agent.max_active_per_sender.values()) == 1  # never two turns of one resident
    assert len(agent.handled) == RESIDENTS * MESSAGES + 1
