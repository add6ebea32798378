"""The key-value store the services use: de-duplication, counters and short-lived state.

Adapters implement :class:`KeyValueStore` (Redis, or a bounded in-process store);
a store that cannot be reached raises :class:`KeyValueStoreUnavailable`, so a
caller can fall back without knowing which store it was given.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["KeyValueStore", "KeyValueStoreUnavailable"]


class KeyValueStoreUnavailable(Exception):
    """The store did not answer (down, refusing or hanging); ``reason`` names the failure."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyValueStore(Protocol):
    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        """Set key only if absent; True when this call set it."""

    async def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, ttl: float) -> int:
        """Increment a counter; the TTL starts when the counter is created."""

    async def ttl(self, key: str) -> float | None:
        """Seconds left for key, None when absent or without expiry."""

    async def close(self) -> None: ...
