"""Outbound rate limits shared by every instance (GCRA), with an in-process fallback.

The platforms count messages per bot, not per process: Telegram allows about
one message a second in a chat and thirty a second overall; WhatsApp Cloud API
allows 80 messages a second per business number by default and one message
every six seconds to the same user (bursts of up to 45 tolerated, then paid
back). With several instances each process must see the others' sends, so the
schedule lives in Redis when ``REDIS_URL`` is set.

The algorithm is GCRA (the "generic cell rate algorithm"): per key one number,
the theoretical arrival time of the next send. A caller *reserves* a slot for
one or more limits at once (e.g. this chat and the bot overall), learns how
long to wait, and sleeps; waiting callers are therefore served in order,
without polling. Redis computes it in one Lua script with its own clock, so
instances with skewed clocks still agree. When Redis fails the limiter keeps
limiting inside this process and says so in the log, rather than stop sending.

Usage in a sender::

    limiter = create_rate_limiter(settings.redis_url)
    await limiter.acquire((TELEGRAM_PER_CHAT, str(chat_id)), (TELEGRAM_OVERALL, ""))
    per_chat = limiter.bind(TELEGRAM_PER_CHAT)  # shaped like the channels' per-key limiter
    await per_chat.acquire(str(chat_id))
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot import observability
from bot.domain.privacy import mask_text

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """``rate`` sends per second on average, up to ``burst`` at once after a quiet spell.

    ``per_recipient``: keyed by one chat or user, so waiting for it holds up only them.
    """

    name: str
    rate: float
    burst: int = 1
    per_recipient: bool = False

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError(f"limit {self.name}: rate must be positive and burst at least 1")

    @property
    def period(self) -> float:
        return 1.0 / self.rate


TELEGRAM_PER_CHAT = Limit("telegram:chat", rate=1.0, burst=3, per_recipient=True)
TELEGRAM_OVERALL = Limit("telegram:all", rate=30.0, burst=30)
WHATSAPP_THROUGHPUT = Limit("whatsapp:number", rate=80.0, burst=80)
WHATSAPP_PAIR = Limit("whatsapp:pair", rate=1 / 6, burst=45, per_recipient=True)

Slot = tuple[Limit, str]


class RateLimited(Exception):
    """The wait for a slot would exceed ``max_wait``; nothing was reserved."""

    def __init__(self, limits: Sequence[Limit], retry_after: float) -> None:
        names = ", ".join(limit.name for limit in limits)
        super().__init__(f"rate limit {names}: next slot in {retry_after:.1f} s")
        self.limits = tuple(limits)
        self.retry_after = retry_after

    @property
    def recipient_only(self) -> bool:
        """Whether a limit about one recipient was among those asked for.

        The overall limits (30/s, 80/s) cannot push a wait past ``max_wait`` with the
        few sends in flight per instance, so a refusal is, in practice, one chat's
        limit: only that recipient's messages need wait.
        """
        return any(limit.per_recipient for limit in self.limits)


class KeyedLimiter(Protocol):
    """What the channel senders call: wait for a slot under ``key``."""

    async def acquire(self, key: str = "") -> None: ...


class RateLimiter(abc.ABC):
    """Reserves slots for several limits at once; subclasses keep the schedule."""

    def __init__(
        self,
        *,
        max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_wait = max_wait
        self._sleep = sleep

    @abc.abstractmethod
    async def reserve(self, *slots: Slot) -> float:
        """Take a slot under every limit; returns the seconds to wait before sending.

        Raises RateLimited (reserving nothing) when that wait exceeds ``max_wait``.
        """

    async def acquire(self, *slots: Slot) -> None:
        delay = await self.reserve(*slots)
        observability.observe_rate_limit_wait("+".join(limit.name for limit, _ in slots), delay)
        if delay > 0:
            await self._sleep(delay)

    def bind(self, limit: Limit) -> BoundLimit:
        return BoundLimit(self, limit)

    async def close(self) -> None:  # noqa: B027 - optional: only the Redis limiter has one
        """Release connections (none for the in-process limiter)."""


@dataclass(frozen=True)
class BoundLimit:
    """One limit of a limiter, called like the channels' per-key limiter."""

    limiter: RateLimiter
    limit: Limit

    async def acquire(self, key: str = "") -> None:
        await self.limiter.acquire((self.limit, key))


def _schedule(
    slots: Sequence[Slot], stored: Sequence[float | None], now: float, max_wait: float
) -> tuple[float, list[float]]:
    """GCRA for several limits: (wait, new arrival times). The same as the Lua script."""
    arrivals = [max(tat or now, now) for tat in stored]
    start = now
    for (limit, _), tat in zip(slots, arrivals, strict=True):
        start = max(start, tat - limit.period * (limit.burst - 1))
    if start - now > max_wait:
        raise RateLimited([limit for limit, _ in slots], start - now)
    return start - now, [
        max(tat, start) + limit.period for (limit, _), tat in zip(slots, arrivals, strict=True)
    ]


class MemoryRateLimiter(RateLimiter):
    """The schedule in this process (one instance, tests, or while Redis is down)."""

    def __init__(
        self,
        *,
        max_wait: float = 60.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(max_wait=max_wait, sleep=sleep)
        self._clock = clock
        self._max_keys = max_keys
        # An evicted key was idle, so its schedule was in the past anyway.
        self._arrivals: OrderedDict[str, float] = OrderedDict()

    async def reserve(self, *slots: Slot) -> float:
        now = self._clock()
        keys = [f"{limit.name}:{key}" for limit, key in slots]
        stored = [self._arrivals.get(key) for key in keys]
        delay, arrivals = _schedule(slots, stored, now, self.max_wait)
        for key, tat in zip(keys, arrivals, strict=True):
            self._arrivals[key] = tat
            self._arrivals.move_to_end(key)
        while len(self._arrivals) > self._max_keys:
            self._arrivals.popitem(last=False)
        return delay


# KEYS: one per slot. ARGV: period and burst per slot, then max_wait.
# Returns {1, wait} when reserved, {0, wait} when refused. Numbers travel as
# strings because Redis truncates Lua numbers in replies to integers.
_RESERVE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local arrivals = {}
local start = now
for i = 1, #KEYS do
  local period = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  arrivals[i] = tat
  local allowed = tat - period * (burst - 1)
  if allowed > start then start = allowed end
end
if start - now > tonumber(ARGV[2 * #KEYS + 1]) then
  return {0, string.format('%.6f', start - now)}
end
for i = 1, #KEYS do
  local tat = math.max(arrivals[i], start) + tonumber(ARGV[2 * i - 1])
  local ttl = math.ceil((tat - now) * 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%.6f', tat), 'PX', ttl)
end
return {1, string.format('%.6f', start - now)}
"""


class RedisRateLimiter(RateLimiter):
    """The schedule in Redis, shared by every instance."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "tabik:",
        max_wait: float = 60.0,
        socket_timeout: float = 2.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(max_wait=max_wait, sleep=sleep)
        self.url = url
        self.prefix = prefix
        self.socket_timeout = socket_timeout
        self.fallback = MemoryRateLimiter(max_wait=max_wait, sleep=sleep)
        self._redis: Redis | None = None

    def _client(self) -> Redis:
        if self._redis is None:
            from redis import asyncio as aioredis

            self._redis = aioredis.from_url(
                self.url,
                socket_timeout=self.socket_timeout,
                socket_connect_timeout=self.socket_timeout,
                decode_responses=True,
            )
        return self._redis

    async def reserve(self, *slots: Slot) -> float:
        from redis.exceptions import RedisError

        keys = [f"{self.prefix}rate:{limit.name}:{key}" for limit, key in slots]
        args: list[float] = []
        for limit, _ in slots:
            args += [limit.period, limit.burst]
        try:
            reserved, wait = await self._client().eval(
                _RESERVE, len(keys), *keys, *args, self.max_wait
            )
        except RedisError as error:
            logger.warning(
                "rate limit store unavailable (%s); limiting inside this process only",
                mask_text(str(error)),
            )
            return await self.fallback.reserve(*slots)
        delay = float(wait)
        if not int(reserved):
            raise RateLimited([limit for limit, _ in slots], delay)
        return max(0.0, delay)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()
            self._redis = None


def create_rate_limiter(
    redis_url: str | None, *, prefix: str = "tabik:", max_wait: float = 60.0
) -> RateLimiter:
    """Shared through Redis when a URL is given, otherwise in this process."""
    if redis_url:
        return RedisRateLimiter(redis_url, prefix=prefix, max_wait=max_wait)
    return MemoryRateLimiter(max_wait=max_wait)
