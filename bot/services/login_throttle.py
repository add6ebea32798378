"""Login throttling that a stranger cannot turn against staff.

Failures are counted per (username, client address) and per client address, in
a window. Too many for one pair refuses that pair only; too many from one
address refuses that address for every username; nothing ever refuses the
right password from another address. Failures of one username across many
addresses only slow its logins down (a short wait before answering), so a
botnet guessing one officer's password costs the officer seconds, never the
day. Counting is by the username as typed, whether or not the account exists:
known and unknown usernames are answered exactly alike.

The counters live in the key-value store (Redis, shared by the instances).
When the store cannot be reached the counts go on in the fallback given (the
database, so the instances still count together; this process's memory
otherwise) for a while, with a warning in the log: logins keep working, never
a 500.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.domain.staff import LoginThrottled
from bot.services.key_value import KeyValueStoreUnavailable
from bot.services.shared import hashed

log = logging.getLogger(__name__)

__all__ = ["Counters", "LoginLimits", "LoginThrottle"]

_T = TypeVar("_T")
# How long the fallback stands in for an unreachable store before the store is tried again.
FALLBACK_SECONDS = 30.0
NO_ADDRESS = "-"


class Counters(Protocol):
    """The counter calls of :class:`~bot.services.key_value.KeyValueStore` (the database
    fallback has just these); an unreachable one raises ``KeyValueStoreUnavailable``."""

    async def get(self, key: str) -> str | None: ...

    async def ttl(self, key: str) -> float | None: ...

    async def incr(self, key: str, ttl: float) -> int: ...

    async def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class LoginLimits:
    per_pair: int = 5  # wrong passwords for one username from one address
    per_address: int = 20  # wrong passwords from one address, any usernames
    slow_after: int = 10  # wrong passwords for one username, all addresses together
    slow_by: float = 1.0  # seconds each further attempt at that username waits
    window: float = 900.0  # seconds a count lasts, from its first failure


class LoginThrottle:
    def __init__(
        self,
        store: Counters | None,
        limits: LoginLimits | None = None,
        *,
        fallback: Counters | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.limits = limits or LoginLimits()
        self.sleep = sleep
        self.monotonic = monotonic
        # Counts while ``store`` is unreachable; without one the store's error goes up.
        self.fallback = fallback
        self._fallback_until = 0.0

    @staticmethod
    def _keys(username: str, address: str | None) -> tuple[str, str, str]:
        where = address or NO_ADDRESS
        return (
            f"staff-login:pair:{hashed(username, where)[:32]}",
            f"staff-login:addr:{hashed(where)[:32]}",
            f"staff-login:user:{hashed(username)[:32]}",
        )

    async def before(self, username: str, address: str | None) -> None:
        """Raise LoginThrottled when this pair or address must wait; wait a little when
        the username is being guessed from many addresses."""
        pair, addr, user = self._keys(username, address)
        for key, limit in ((pair, self.limits.per_pair), (addr, self.limits.per_address)):
            if await self._count(key) >= limit:
                wait = await self._call(_ttl(key))
                raise LoginThrottled(float(wait or self.limits.window))
        if await self._count(user) >= self.limits.slow_after:
            await self.sleep(self.limits.slow_by)

    async def failed(self, username: str, address: str | None) -> float | None:
        """Count a wrong password; the wait when this one reached a limit (else None)."""
        pair, addr, user = self._keys(username, address)
        counts = [await self._call(_incr(key, self.limits.window)) for key in (pair, addr, user)]
        if counts[0] >= self.limits.per_pair or counts[1] >= self.limits.per_address:
            return self.limits.window
        return None

    async def succeeded(self, username: str, address: str | None) -> None:
        """The right password clears that pair's count (not the address's, not the user's)."""
        pair, _, _ = self._keys(username, address)
        await self._call(_delete(pair))

    async def _count(self, key: str) -> int:
        return int(await self._call(_get(key)) or 0)

    async def _call(self, operation: Callable[[Counters], Awaitable[_T]]) -> _T:
        """The operation on the store, or on the fallback while the store is unreachable."""
        if self.store is None:
            return await operation(self._fallback())
        if self.fallback is not None and self.monotonic() < self._fallback_until:
            return await operation(self.fallback)
        try:
            return await operation(self.store)
        except KeyValueStoreUnavailable as error:
            if self.fallback is None:
                raise
            self._fallback_until = self.monotonic() + FALLBACK_SECONDS
            log.warning(
                "login throttle: key-value store unreachable (%s: %s); counting in %s for %.0f s",
                type(error).__name__,
                error,
                type(self.fallback).__name__,
                FALLBACK_SECONDS,
            )
            return await operation(self.fallback)

    def _fallback(self) -> Counters:
        if self.fallback is None:
            raise TypeError("LoginThrottle needs a store or a fallback to count in")
        return self.fallback


Operation = Callable[[Counters], Awaitable[_T]]


def _get(key: str) -> Operation[str | None]:
    return lambda store: store.get(key)


def _ttl(key: str) -> Operation[float | None]:
    return lambda store: store.ttl(key)


def _incr(key: str, window: float) -> Operation[int]:
    return lambda store: store.incr(key, window)


def _delete(key: str) -> Operation[None]:
    return lambda store: store.delete(key)
