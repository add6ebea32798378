"""The login throttle counts in the store it is given, or in its fallback while that is down."""

from __future__ import annotations

import pytest

from bot.adapters.kv import MemoryStore
from bot.services.key_value import KeyValueStoreUnavailable
from bot.services.login_throttle import LoginLimits, LoginThrottle


class DownStore:
    """A key-value store that cannot be reached."""

    async def get(self, key: str) -> str | None:
        raise KeyValueStoreUnavailable("ConnectionError: refused")

    async def ttl(self, key: str) -> float | None:
        raise KeyValueStoreUnavailable("ConnectionError: refused")

    async def incr(self, key: str, ttl: float) -> int:
        raise KeyValueStoreUnavailable("ConnectionError: refused")

    async def delete(self, key: str) -> None:
        raise KeyValueStoreUnavailable("ConnectionError: refused")


async def test_an_unreachable_store_hands_the_counting_to_the_fallback() -> None:
    fallback = MemoryStore(prefix="fallback:")
    throttle = LoginThrottle(DownStore(), LoginLimits(per_pair=2), fallback=fallback)
    assert await throttle.failed("siti", "10.0.0.1") is None
    assert await throttle.failed("siti", "10.0.0.1") == throttle.limits.window
    assert await fallback.get(throttle._keys("siti", "10.0.0.1")[0]) == "2"


async def test_without_a_fallback_the_stores_error_is_not_hidden() -> None:
    throttle = LoginThrottle(DownStore())
    with pytest.raises(KeyValueStoreUnavailable):
        await throttle.before("siti", "10.0.0.1")
