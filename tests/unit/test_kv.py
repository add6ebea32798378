from collections.abc import AsyncIterator

import pytest

from bot.adapters.kv import MemoryStore, RedisStore
from bot.services.key_value import KeyValueStore
from tests.auxil.services import require_redis, unique_name


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    if request.param == "memory":
        yield MemoryStore(prefix="t:")
        return
    url = require_redis()
    prefix = unique_name("tabiktest") + ":"
    redis_store = RedisStore(url, prefix=prefix)
    yield redis_store
    from redis import asyncio as aioredis

    client = aioredis.from_url(url)
    keys = [k async for k in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.close()
    await redis_store.close()


async def test_set_nx_only_once(store: KeyValueStore) -> None:
    assert await store.set_nx("msg:1", "x", ttl=30)
    assert not await store.set_nx("msg:1", "y", ttl=30)
    assert await store.get("msg:1") == "x"


async def test_counters_and_expiry(store: KeyValueStore) -> None:
    assert [await store.incr("miss", ttl=60) for _ in range(3)] == [1, 2, 3]
    remaining = await store.ttl("miss")
    assert remaining is not None and 0 < remaining <= 60
    await store.delete("miss")
    assert await store.get("miss") is None


async def test_expired_keys_disappear(store: KeyValueStore) -> None:
    import asyncio

    await store.set("short", "1", ttl=0.05)
    await asyncio.sleep(0.15)
    assert await store.get("short") is None
    assert await store.set_nx("short", "2", ttl=5)


async def test_memory_store_is_bounded() -> None:
    store = MemoryStore(max_items=3)
    for i in range(5):
        await store.set(str(i), "v")
    assert await store.get("0") is None and await store.get("4") == "v"
