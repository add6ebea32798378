"""The conversation lock across instances, on the real Redis.

Each "server" is a thread with its own event loop and its own lock store, and
they reach Redis through a proxy adding 20 ms each way, as a Redis on another
host would. With Rasa's stock ``RedisLockStore`` two servers that take messages
of the same conversation at once both get in (Rasa #9213); with ours they take
turns, in arrival order, each with a larger fencing token.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any
from urllib.parse import urlsplit

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis import Redis
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from bot.adapters.lock_store import FencedRedisLockStore, current_fence
from tests.auxil.services import require_redis, unique_name
from tests.auxil.slow_proxy import SlowProxy

pytestmark = pytest.mark.redis

CONVERSATION = "wa:6281234567890"
Interval = tuple[float, float, Any]


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    name = unique_name("tabiklock")
    yield name
    client = Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{name}*")) + list(client.scan_iter(f"{name}:lock:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def slow_redis(redis_url: str) -> Iterator[SlowProxy]:
    parts = urlsplit(redis_url)
    with SlowProxy(parts.hostname or "localhost", parts.port or 6379, delay=0.02) as proxy:
        yield proxy


def _proxied(redis_url: str, proxy: SlowProxy) -> str:
    parts = urlsplit(redis_url)
    return f"redis://127.0.0.1:{proxy.port}{parts.path or '/0'}"


def run_servers(
    make_store: Callable[[], LockStore], servers: int, hold: float = 0.3
) -> list[Interval]:
    """Each server takes the lock at the same moment, holds it ``hold`` s; returns the spans."""
    barrier = threading.Barrier(servers)
    spans: list[Interval] = []
    errors: list[BaseException] = []

    def server() -> None:
        store = make_store()

        async def turn() -> None:
            barrier.wait(5)
            lock_cm: AbstractAsyncContextManager[Any] = store.lock(CONVERSATION)
            async with lock_cm as held:
                start = time.monotonic()
                await asyncio.sleep(hold)
                spans.append((start, time.monotonic(), held))

        try:
            asyncio.run(turn())
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=server) for _ in range(servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(spans) == servers
    return sorted(spans, key=lambda span: span[0])


def overlapping(spans: list[Interval]) -> int:
    return sum(1 for a, b in itertools.pairwise(spans) if b[0] < a[1])


def test_stock_redis_lock_store_lets_two_servers_in_at_once(
    redis_url: str, slow_redis: SlowProxy, prefix: str
) -> None:
    """Reproduces Rasa #9213: the stock store's read-modify-write lets both turns run together."""
    port = slow_redis.port
    db = int(urlsplit(redis_url).path.lstrip("/") or 0)

    spans = run_servers(
        lambda: RedisLockStore(host="127.0.0.1", port=port, db=db, key_prefix=prefix), 2
    )

    assert overlapping(spans) == 1


def test_fenced_lock_store_makes_concurrent_servers_take_turns(
    redis_url: str, slow_redis: SlowProxy, prefix: str
) -> None:
    url = _proxied(redis_url, slow_redis)

    spans = run_servers(lambda: FencedRedisLockStore(url=url, key_prefix=prefix), 4)

    assert overlapping(spans) == 0
    fences = [span[2].fence for span in spans]
    assert fences == sorted(fences) and len(set(fences)) == 4


async def test_waiters_are_served_in_arrival_order(redis_url: str, prefix: str) -> None:
    store = FencedRedisLockStore(url=redis_url, key_prefix=prefix, poll_interval=0.01)
    order: list[int] = []

    async def turn(n: int) -> None:
        async with store.lock(CONVERSATION):
            order.append(n)
            await asyncio.sleep(0.2)

    queue = store._keys(CONVERSATION)[1]
    client = aioredis.from_url(redis_url)

    async def in_line(n: int) -> bool:
        """Turn n holds the lock, held it, or waits in Redis' queue."""
        return len(order) + await client.zcard(queue) >= n + 1

    tasks = []
    for n in range(5):
        tasks.append(asyncio.create_task(turn(n)))
        # The next arrives only once this one is in line (state in Redis: polled).
        while not await in_line(n):  # noqa: ASYNC110
            await asyncio.sleep(0.005)
    await asyncio.gather(*tasks)
    await store.aclose()
    await client.close()

    assert order == [0, 1, 2, 3, 4]


async def test_stale_holder_cannot_extend_or_release_its_successors_lock(
    redis_url: str, prefix: str
) -> None:
    store = FencedRedisLockStore(url=redis_url, key_prefix=prefix, lease=0.2, max_hold=1.0)
    stale = await store.try_acquire(CONVERSATION, "server-a")
    assert stale is not None
    await asyncio.sleep(0.3)  # server A paused (GC, network) past its lease
    fresh = await store.try_acquire(CONVERSATION, "server-b")
    assert fresh is not None and fresh.fence > stale.fence

    assert not await store.extend(stale)
    assert not await store.release(stale)
    assert await store.try_acquire(CONVERSATION, "server-c") is None  # B still holds it
    assert await store.release(fresh)
    await store.aclose()


async def test_a_long_turn_keeps_its_lock_by_renewing(redis_url: str, prefix: str) -> None:
    store = FencedRedisLockStore(url=redis_url, key_prefix=prefix, lease=0.3, max_hold=5.0)
    other = FencedRedisLockStore(url=redis_url, key_prefix=prefix, wait_timeout=0.5)

    async with store.lock(CONVERSATION) as held:
        assert current_fence() == held.fence
        await asyncio.sleep(1.0)  # three leases long
        with pytest.raises(LockError):
            async with other.lock(CONVERSATION):
                pass
        assert not held.lost
    assert current_fence() is None

    async with other.lock(CONVERSATION) as next_holder:  # free again once the turn ended
        assert next_holder.fence > held.fence
    await store.aclose()
    await other.aclose()


async def test_a_stuck_turn_loses_the_lock_after_max_hold(redis_url: str, prefix: str) -> None:
    store = FencedRedisLockStore(url=redis_url, key_prefix=prefix, lease=0.2, max_hold=0.4)
    other = FencedRedisLockStore(url=redis_url, key_prefix=prefix, wait_timeout=3.0)
    taken_over = asyncio.Event()

    async def stuck() -> None:
        async with store.lock(CONVERSATION):
            await taken_over.wait()

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0.05)
    started = time.monotonic()
    async with other.lock(CONVERSATION):
        waited = time.monotonic() - started
        taken_over.set()
    await task
    assert 0.3 < waited < 1.5
    await store.aclose()
    await other.aclose()


async def test_a_crashed_waiter_does_not_block_the_queue(redis_url: str, prefix: str) -> None:
    store = FencedRedisLockStore(
        url=redis_url, key_prefix=prefix, lease=0.2, max_hold=1.0, waiter_ttl=0.5
    )
    holder = await store.try_acquire(CONVERSATION, "holder")
    assert holder is not None
    assert await store.try_acquire(CONVERSATION, "crashed-waiter") is None  # queued, then gone
    await store.release(holder)

    started = time.monotonic()
    async with store.lock(CONVERSATION):
        # The dead waiter's heartbeat lapses; then we are first in the queue.
        assert 0.3 < time.monotonic() - started < 1.5
    await store.aclose()


async def test_redis_that_stops_answering_fails_within_the_timeout(
    redis_url: str, slow_redis: SlowProxy, prefix: str
) -> None:
    store = FencedRedisLockStore(
        url=_proxied(redis_url, slow_redis), key_prefix=prefix, socket_timeout=0.5
    )
    async with store.lock(CONVERSATION):
        pass
    slow_redis.stall()
    started = time.monotonic()
    with pytest.raises(RedisError):
        async with store.lock(CONVERSATION):
            pass
    assert time.monotonic() - started < 3
    await store.aclose()


def test_rasa_builds_it_from_the_endpoints_file(redis_url: str, prefix: str) -> None:
    config = EndpointConfig(
        url=redis_url, type="bot.adapters.lock_store.FencedRedisLockStore", key_prefix=prefix
    )

    store = LockStore.create(config)

    assert isinstance(store, FencedRedisLockStore)
    assert store.key_prefix == prefix and store.max_hold > 120


async def test_tokens_keep_growing_after_the_counter_expires(redis_url: str, prefix: str) -> None:
    store = FencedRedisLockStore(url=redis_url, key_prefix=prefix)
    async with store.lock(CONVERSATION) as first:
        pass
    counter = store._keys(CONVERSATION)[3]
    client = Redis.from_url(redis_url)
    ttl = client.pttl(counter)
    client.delete(counter)  # what a quiet day (or a Redis restart without persistence) does
    client.close()

    async with store.lock(CONVERSATION) as second:
        pass
    await store.aclose()

    assert 0 < ttl <= 24 * 3600 * 1000
    assert second.fence > first.fence
