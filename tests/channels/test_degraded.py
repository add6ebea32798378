"""A Redis that hangs or a database that fails: residents wait or are asked again, never lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from redis.exceptions import TimeoutError as RedisTimeout

from bot.adapters.kv import RedisStore
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import MemoryRateLimiter
from bot.config import WhatsAppSettings
from bot.services.key_value import KeyValueStoreUnavailable
from channels.inbound import Inbound
from channels.queues import ChannelQueues
from channels.retry import RetryPolicy
from channels.text import Replies
from channels.whatsapp import GraphClient, WhatsAppInput
from tests.auxil import fake_whatsapp as meta
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.sanic_app import ScriptedAgent, serve


@pytest.fixture
async def hanging_redis_url() -> AsyncIterator[str]:
    """A server that accepts connections and never answers (a Redis stuck mid-failover)."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    server.close()


async def test_every_redis_call_gives_up_within_its_timeout(hanging_redis_url: str) -> None:
    store = RedisStore(hanging_redis_url, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(KeyValueStoreUnavailable) as unavailable:
        await store.get("anything")
    assert isinstance(unavailable.value.__cause__, RedisTimeout)
    with pytest.raises(KeyValueStoreUnavailable) as unavailable:
        await store.set_nx("seen:1", "1", 60)
    assert isinstance(unavailable.value.__cause__, RedisTimeout)
    assert time.monotonic() - started < 2.0
    await store.close()


async def test_a_hanging_redis_does_not_keep_residents_waiting(
    hanging_redis_url: str,
    whatsapp_settings: WhatsAppSettings,
    graph_api: tuple[FakeGraphApi, str],
    replies: Replies,
    fast_retry: RetryPolicy,
    queues: ChannelQueues,
    media_dir: Path,
) -> None:
    # De-duplication and the 24-hour window live in the database, so a plain
    # conversation needs nothing from Redis.
    channel = WhatsAppInput(
        whatsapp_settings,
        store=RedisStore(hanging_redis_url, timeout=0.2),
        replies=replies,
        client=GraphClient(whatsapp_settings, retry=fast_retry, limiter=MemoryRateLimiter()),
        queues=queues,
        media=PlatformMedia(media_dir, whatsapp=whatsapp_settings),
    )
    payload = meta.delivery(meta.text("halo", message_id="wamid.REDIS-DOWN"))
    body, headers = meta.signed(payload)
    async with serve(channel, ScriptedAgent()) as url, aiohttp.ClientSession() as http:
        for _ in range(2):  # and a redelivery
            async with http.post(f"{url}/webhook", data=body, headers=headers) as answer:
                assert answer.status == 200
        sent = await graph_api[0].wait_for_sent(1, timeout=5)
        await queues.settled()
    assert [m["text"]["body"] for m in sent] == ["echo: halo"]
    assert len(graph_api[0].sent) == 1
    await channel.client.close()


async def test_a_delivery_the_database_cannot_keep_is_refused_for_redelivery(
    whatsapp: WhatsAppInput, graph_api: tuple[FakeGraphApi, str]
) -> None:
    async def broken(*_: object, **__: object) -> list[int]:
        raise ConnectionError("database unreachable")

    whatsapp.queues.inbound.accept = broken  # type: ignore[method-assign]
    body, headers = meta.signed(meta.delivery(meta.text("halo")))
    async with serve(whatsapp, ScriptedAgent()) as url, aiohttp.ClientSession() as http:
        async with http.post(f"{url}/webhook", data=body, headers=headers) as answer:
            # Not acknowledged: Meta delivers it again later instead of it being lost.
            assert answer.status == 503
    assert graph_api[0].requests == []


class StoredConversations:
    """Stands in for Rasa's tracker store: what a killed process had already saved."""

    def __init__(self, events: list[Any]) -> None:
        self.events = events

    async def retrieve(self, sender_id: str) -> Any:
        return SimpleNamespace(events=self.events)


async def test_a_turn_saved_before_a_crash_is_not_run_again_but_its_replies_go_out(
    whatsapp: WhatsAppInput, graph_api: tuple[FakeGraphApi, str], queues: ChannelQueues
) -> None:
    sender = "wa:6281234567890"
    saved = [
        UserUttered("halo", message_id="wamid.SAVED"),
        BotUttered("Selamat datang.", {"buttons": [{"title": "Aduan", "payload": "/aduan"}]}),
        BotUttered("Ada yang bisa dibantu?"),
        UserUttered("lagi", message_id="wamid.LATER"),
        BotUttered("Tidak untuk pesan ini."),
    ]
    agent = ScriptedAgent()
    agent.tracker_store = StoredConversations(saved)  # type: ignore[attr-defined]
    # The message was stored and claimed by a run that died after Rasa saved the turn.
    inbound = Inbound(sender_id=sender, dedupe_key="wa:wamid.SAVED", message_id="wamid.SAVED")
    await queues.inbound.accept([replace(inbound, text="halo").to_incoming()])
    await queues.inbound.claim(channel="whatsapp", worker="dead-host:1/whatsapp/x")
    await queues.inbound.release("dead-host:1/")

    async with serve(whatsapp, agent):
        await queues.settled()
    assert agent.handled == []  # no second turn: no form step or filing twice
    bodies = [
        m["interactive"]["body"]["text"] if m["type"] == "interactive" else m["text"]["body"]
        for m in graph_api[0].sent
    ]
    assert bodies == ["Selamat datang.", "Ada yang bisa dibantu?"]
