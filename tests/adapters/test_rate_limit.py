"""Outbound rate limits: the same schedule in-process and in Redis, shared by instances."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import pytest
from redis import asyncio as aioredis

from bot.adapters.rate_limit import (
    TELEGRAM_OVERALL,
    TELEGRAM_PER_CHAT,
    WHATSAPP_PAIR,
    Limit,
    MemoryRateLimiter,
    RateLimited,
    RateLimiter,
    RedisRateLimiter,
    create_rate_limiter,
)
from tests.auxil.services import require_redis, unique_name

Factory = Callable[[], RateLimiter]


@pytest.fixture(params=["memory", "redis"])
async def limiters(request: pytest.FixtureRequest) -> AsyncIterator[Factory]:
    """Makes limiters as separate instances would; in-process ones share one schedule object."""
    if request.param == "memory":
        shared = MemoryRateLimiter()
        yield lambda: shared
        return
    url = require_redis()
    prefix = unique_name("tabikrate") + ":"
    made: list[RateLimiter] = []

    def make() -> RateLimiter:
        made.append(RedisRateLimiter(url, prefix=prefix))
        return made[-1]

    yield make
    for limiter in made:
        await limiter.close()
    client = aioredis.from_url(url)
    keys = [key async for key in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.close()


async def test_a_telegram_chat_gets_a_short_burst_then_one_message_a_second(
    limiters: Factory,
) -> None:
    limiter = limiters()
    waits = [await limiter.reserve((TELEGRAM_PER_CHAT, "42")) for _ in range(5)]

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0, abs=0.15)
    assert waits[4] == pytest.approx(2.0, abs=0.15)
    assert await limiter.reserve((TELEGRAM_PER_CHAT, "43")) == 0.0  # another chat is free


async def test_the_overall_limit_holds_across_chats(limiters: Factory) -> None:
    limiter = limiters()
    started = time.monotonic()
    waits = [
        await limiter.reserve((TELEGRAM_PER_CHAT, str(chat)), (TELEGRAM_OVERALL, ""))
        for chat in range(32)
    ]
    elapsed = time.monotonic() - started

    assert all(wait == 0.0 for wait in waits[:30])  # 30 chats, one message each: no wait
    # The 31st and 32nd are due one and two periods after the burst, less the time taken.
    assert 1 / 30 - elapsed <= waits[30] <= 1 / 30
    assert 2 / 30 - elapsed <= waits[31] <= 2 / 30


async def test_two_instances_share_one_schedule(limiters: Factory) -> None:
    first, second = limiters(), limiters()
    for _ in range(3):
        assert await first.reserve((TELEGRAM_PER_CHAT, "42")) == 0.0

    assert await second.reserve((TELEGRAM_PER_CHAT, "42")) == pytest.approx(1.0, abs=0.15)


async def test_a_wait_longer_than_allowed_is_refused_without_using_a_slot(
    limiters: Factory,
) -> None:
    limiter = limiters()
    slow = Limit("test:slow", rate=0.1)
    limiter.max_wait = 5.0
    assert await limiter.reserve((slow, "a")) == 0.0

    with pytest.raises(RateLimited) as refused:
        await limiter.reserve((slow, "a"))
    assert refused.value.retry_after == pytest.approx(10.0, abs=0.1)
    limiter.max_wait = 60.0
    assert await limiter.reserve((slow, "a")) == pytest.approx(10.0, abs=0.1)


async def test_whatsapp_pair_rate_allows_a_burst_then_one_every_six_seconds() -> None:
    limiter = MemoryRateLimiter(max_wait=3600)
    waits = [await limiter.reserve((WHATSAPP_PAIR, "6281234567890")) for _ in range(46)]

    assert waits[44] == 0.0
    assert waits[45] == pytest.approx(6.0, abs=0.15)


async def test_acquire_really_waits(limiters: Factory) -> None:
    limiter = limiters().bind(Limit("test:ten", rate=10.0))
    started = time.monotonic()
    for _ in range(4):
        await limiter.acquire("x")

    assert time.monotonic() - started == pytest.approx(0.3, abs=0.15)


async def test_without_redis_the_limiter_still_limits_in_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", socket_timeout=0.5)
    waits = [await limiter.reserve((TELEGRAM_PER_CHAT, "42")) for _ in range(4)]
    await limiter.close()

    assert waits[3] == pytest.approx(1.0, abs=0.15)
    assert "limiting inside this process only" in caplog.text


def test_redis_only_when_configured() -> None:
    assert isinstance(create_rate_limiter(None), MemoryRateLimiter)
    assert isinstance(create_rate_limiter("redis://localhost:6379/15"), RedisRateLimiter)
