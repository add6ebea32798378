"""The key-value store (:class:`bot.services.key_value.KeyValueStore`) on Redis or in memory.

Redis when ``REDIS_URL`` is set (shared by every instance), otherwise a bounded
in-process store with the same semantics (one instance, e.g. a laptop). Keys
are namespaced with a prefix so tests and deployments never collide.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.services.key_value import KeyValueStore, KeyValueStoreUnavailable

__all__ = ["MemoryStore", "RedisStore", "create_store", "store_errors"]


class MemoryStore:
    """In-process store with TTLs and an LRU bound (oldest entries evicted first)."""

    def __init__(self, *, prefix: str = "tabik:", max_items: int = 100_000) -> None:
        self._prefix = prefix
        self._max_items = max_items
        self._items: OrderedDict[str, tuple[str, float | None]] = OrderedDict()
        self._lock = asyncio.Lock()

    def _key(self, key: str) -> str:
        return self._prefix + key

    def _live(self, key: str, now: float) -> tuple[str, float | None] | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= now:
            del self._items[key]
            return None
        return item

    def _put(self, key: str, value: str, ttl: float | None, now: float) -> None:
        self._items[key] = (value, now + ttl if ttl is not None else None)
        self._items.move_to_end(key)
        while len(self._items) > self._max_items:
            self._items.popitem(last=False)

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        async with self._lock:
            now = time.monotonic()
            if self._live(self._key(key), now) is not None:
                return False
            self._put(self._key(key), value, ttl, now)
            return True

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        async with self._lock:
            self._put(self._key(key), value, ttl, time.monotonic())

    async def get(self, key: str) -> str | None:
        async with self._lock:
            item = self._live(self._key(key), time.monotonic())
            return item[0] if item else None

    async def delete(self, key: str) -> None:
        async with self._lock:
            self._items.pop(self._key(key), None)

    async def incr(self, key: str, ttl: float) -> int:
        async with self._lock:
            now = time.monotonic()
            full = self._key(key)
            item = self._live(full, now)
            if item is None:
                self._put(full, "1", ttl, now)
                return 1
            value = int(item[0]) + 1
            self._items[full] = (str(value), item[1])
            return value

    async def ttl(self, key: str) -> float | None:
        async with self._lock:
            now = time.monotonic()
            item = self._live(self._key(key), now)
            if item is None or item[1] is None:
                return None
            return max(0.0, item[1] - now)

    async def close(self) -> None:
        self._items.clear()


# Every Redis call gives up after this long: a Redis that hangs must cost a resident
# seconds, not the conversation (callers fall back or retry; nothing waits forever).
REDIS_TIMEOUT_SECONDS = 2.0


class RedisStore:
    """The same interface on Redis (``redis.asyncio``); safe across instances.

    Connecting and every command time out after ``timeout`` seconds; a Redis that
    fails or hangs raises :class:`KeyValueStoreUnavailable` (the Redis error as its
    cause). Nothing here blocks the event loop.
    """

    def __init__(
        self, url: str, *, prefix: str = "tabik:", timeout: float = REDIS_TIMEOUT_SECONDS
    ) -> None:
        from redis import asyncio as aioredis

        self._prefix = prefix
        self._redis = aioredis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
        )

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        async with _unavailable():
            return bool(await self._redis.set(self._key(key), value, nx=True, px=int(ttl * 1000)))

    async def set(self, key: str, value: str, ttl: float | None = None) -> None:
        px = int(ttl * 1000) if ttl is not None else None
        async with _unavailable():
            await self._redis.set(self._key(key), value, px=px)

    async def get(self, key: str) -> str | None:
        async with _unavailable():
            value = await self._redis.get(self._key(key))
        return None if value is None else str(value)

    async def delete(self, key: str) -> None:
        async with _unavailable():
            await self._redis.delete(self._key(key))

    async def incr(self, key: str, ttl: float) -> int:
        full = self._key(key)
        async with _unavailable(), self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.pexpire(full, int(ttl * 1000), nx=True)
            value, _ = await pipe.execute()
        return int(value)

    async def ttl(self, key: str) -> float | None:
        async with _unavailable():
            millis = await self._redis.pttl(self._key(key))
        return None if millis is None or millis < 0 else millis / 1000

    async def close(self) -> None:
        await self._redis.close()


def store_errors() -> tuple[type[BaseException], ...]:
    """What Redis raises when it cannot be reached (down, refusing or hanging)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError, asyncio.TimeoutError)


@asynccontextmanager
async def _unavailable() -> AsyncIterator[None]:
    """Redis failures as the port's :class:`KeyValueStoreUnavailable` (cause kept)."""
    try:
        yield
    except store_errors() as error:
        raise KeyValueStoreUnavailable(f"{type(error).__name__}: {error}") from error


def create_store(redis_url: str | None, *, prefix: str = "tabik:") -> KeyValueStore:
    """Redis when a URL is given, otherwise the in-process store."""
    if redis_url:
        return RedisStore(redis_url, prefix=prefix)
    return MemoryStore(prefix=prefix)
