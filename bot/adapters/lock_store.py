"""A conversation lock that holds across instances: leases, renewal and fencing tokens.

Rasa's ``RedisLockStore`` reads the ticket list, changes it in Python and
writes it back. Two servers that take messages of one conversation at the same
moment both read "nobody waiting", both write ticket 0 and both go ahead
(Rasa issue #9213). Its lock also lives 60 s, shorter than our turn timeout,
so a slow turn silently loses it.

Here every decision is one Lua script, so Redis orders them:

* waiters queue in a sorted set by ticket number (first come, first served),
  each refreshing a heartbeat so a crashed waiter does not block the queue;
* the holder owns a key ``holder:fence`` with a short lease (``lease``
  seconds) that a background task renews while the turn runs, up to
  ``max_hold`` seconds (longer than the turn timeout), after which it lapses;
* every acquisition takes a new fencing token from the conversation's counter,
  which only grows (seeded from Redis' clock, so neither a Redis restart without
  persistence nor an expired counter reuses old tokens); extending and
  releasing compare holder *and* token, so a
  holder whose lease expired can neither extend nor release its successor's
  lock. Writers that must reject stale holders read the token from
  :func:`current_fence`.

Configured from the Rasa endpoints file (the launcher writes it when
``REDIS_URL`` is set)::

    lock_store:
      type: bot.adapters.lock_store.FencedRedisLockStore
      url: redis://localhost:6379/0
      key_prefix: tabik
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore

from bot import observability
from bot.domain.privacy import mask_text

if TYPE_CHECKING:
    from rasa.utils.endpoints import EndpointConfig
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

DEFAULT_LEASE = 30.0
# Longer than the channels' turn timeout (120 s) so a slow but live turn keeps its lock.
DEFAULT_MAX_HOLD = 180.0
DEFAULT_SOCKET_TIMEOUT = 5.0

# A conversation's token counter outlives a quiet day, then goes. A new counter starts
# from Redis' clock in microseconds, above any token the old one gave (it would have
# needed a million acquisitions a second to get ahead), so tokens only ever grow.
_COUNTER_TTL_MS = 24 * 3600 * 1000

_current_fence: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "tabik_lock_fence", default=None
)


def current_fence() -> int | None:
    """The fencing token of the conversation lock this task holds, if any."""
    return _current_fence.get()


# KEYS: owner, queue, heartbeats, counter. ARGV: holder, lease ms, waiter ttl ms, counter ttl ms.
# Returns {1, fence} when acquired, {0, position} while waiting.
_ACQUIRE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function next_fence()
  if redis.call('EXISTS', KEYS[4]) == 0 then
    redis.call('SET', KEYS[4], string.format('%d', tonumber(t[1]) * 1000000 + tonumber(t[2])))
  end
  local fence = redis.call('INCR', KEYS[4])
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
  return fence
end
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, member in ipairs(dead) do
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZREM', KEYS[3], member)
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], next_fence(), ARGV[1])
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
local keep = tonumber(ARGV[3]) * 2
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
local first = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if redis.call('EXISTS', KEYS[1]) == 1 or first ~= ARGV[1] then
  return {0, redis.call('ZRANK', KEYS[2], ARGV[1])}
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local fence = next_fence()
-- string.format: plain concatenation would print a large number as 1.79e+15.
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. string.format('%d', fence), 'PX', ARGV[2])
return {1, fence}
"""

# KEYS: owner. ARGV: holder:fence, lease ms. 1 when still ours (and extended).
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: owner. ARGV: holder:fence. 1 when it was ours and is now free.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: queue, heartbeats. ARGV: holder. A waiter that gives up leaves the queue.
_LEAVE = """
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
"""


@dataclass
class FencedLock:
    """What a holder knows about its lock; ``lost`` turns true when a renewal failed."""

    conversation_id: str
    holder: str
    fence: int
    acquired_at: float = field(default_factory=time.monotonic)
    lost: bool = False

    @property
    def value(self) -> str:
        return f"{self.holder}:{self.fence}"


class FencedRedisLockStore(LockStore):
    """Rasa ``LockStore`` on Redis whose ``lock()`` is atomic, renewed and fenced."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        url: str | None = None,
        key_prefix: str = "tabik",
        lease: float = DEFAULT_LEASE,
        max_hold: float = DEFAULT_MAX_HOLD,
        wait_timeout: float | None = None,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT,
        poll_interval: float = 0.02,
        waiter_ttl: float = 5.0,
    ) -> None:
        options: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.url = url or (endpoint_config.url if endpoint_config else None)
        if not self.url:
            raise ValueError("FencedRedisLockStore needs a Redis URL (lock_store.url)")
        self.key_prefix = str(options.get("key_prefix", key_prefix))
        self.lease = float(options.get("lease", lease))
        self.max_hold = float(options.get("max_hold", max_hold))
        if self.max_hold < self.lease:
            raise ValueError("max_hold must be at least one lease")
        self.wait_timeout = float(
            options.get("wait_timeout", wait_timeout or self.max_hold + self.lease)
        )
        self.socket_timeout = float(options.get("socket_timeout", socket_timeout))
        self.poll_interval = float(options.get("poll_interval", poll_interval))
        # A waiter that stops polling for this long (crashed) loses its place in the queue.
        self.waiter_ttl = float(options.get("waiter_ttl", waiter_ttl))
        # One client per event loop: redis.asyncio connections belong to the loop that made them.
        self._clients: dict[int, Redis] = {}
        super().__init__()

    # -- Redis plumbing -----------------------------------------------------

    def _client(self) -> Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(id(loop))
        if client is None:
            from redis import asyncio as aioredis

            client = aioredis.from_url(
                self.url,
                socket_timeout=self.socket_timeout,
                socket_connect_timeout=self.socket_timeout,
                decode_responses=True,
            )
            self._clients[id(loop)] = client
        return client

    def _keys(self, conversation_id: str) -> tuple[str, str, str, str]:
        # The braces keep one conversation's keys in one Redis Cluster slot (one script).
        base = f"{self.key_prefix}:lock:{{{conversation_id}}}"
        return f"{base}:owner", f"{base}:queue", f"{base}:alive", f"{base}:fence"

    async def _script(self, script: str, keys: list[str], args: list[Any]) -> Any:
        # EVAL rather than EVALSHA + cache: the scripts are tiny and Redis caches them itself.
        return await self._client().eval(script, len(keys), *keys, *args)

    # -- the lock -------------------------------------------------------------

    async def try_acquire(self, conversation_id: str, holder: str) -> FencedLock | None:
        """One attempt: joins the queue (or refreshes its place) and takes the lock if first."""
        owner, queue, alive, counter = self._keys(conversation_id)
        acquired, number = await self._script(
            _ACQUIRE,
            [owner, queue, alive, counter],
            [holder, int(self.lease * 1000), int(self.waiter_ttl * 1000), _COUNTER_TTL_MS],
        )
        if int(acquired) == 1:
            return FencedLock(conversation_id, holder, int(number))
        return None

    async def extend(self, lock: FencedLock) -> bool:
        """Renew the lease; False when the lock is no longer this holder's."""
        owner = self._keys(lock.conversation_id)[0]
        return bool(await self._script(_EXTEND, [owner], [lock.value, int(self.lease * 1000)]))

    async def release(self, lock: FencedLock) -> bool:
        """Free the lock; False (and nothing deleted) when another holder owns it by now."""
        owner = self._keys(lock.conversation_id)[0]
        return bool(await self._script(_RELEASE, [owner], [lock.value]))

    async def _leave(self, conversation_id: str, holder: str) -> None:
        _, queue, alive, _ = self._keys(conversation_id)
        await self._script(_LEAVE, [queue, alive], [holder])

    async def acquire(self, conversation_id: str) -> FencedLock:
        """Wait for the lock in arrival order; LockError after ``wait_timeout`` seconds."""
        holder = uuid.uuid4().hex
        started = time.monotonic()
        deadline = started + self.wait_timeout
        pause = self.poll_interval
        try:
            while True:
                lock = await self.try_acquire(conversation_id, holder)
                if lock is not None:
                    observability.observe_lock_wait(time.monotonic() - started)
                    return lock
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"Could not acquire the lock for conversation "
                        f"'{mask_text(conversation_id)}' within {self.wait_timeout:.0f} s."
                    )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.2)
        except BaseException:
            # Cancelled or failed while waiting: give the place in the queue back.
            await asyncio.shield(self._leave_quietly(conversation_id, holder))
            raise

    async def _leave_quietly(self, conversation_id: str, holder: str) -> None:
        try:
            await self._leave(conversation_id, holder)
        except Exception:
            # The heartbeat expires anyway, so the queue heals without us.
            logger.warning("could not leave the lock queue of %s", mask_text(conversation_id))

    async def _keep_alive(self, lock: FencedLock) -> None:
        """Renews the lease every third of it until ``max_hold`` is reached or it is lost."""
        interval = self.lease / 3
        while time.monotonic() - lock.acquired_at + interval < self.max_hold:
            await asyncio.sleep(interval)
            try:
                renewed = await self.extend(lock)
            except Exception:
                # Redis unreachable for a moment: the lease still runs; try again next time.
                logger.warning("renewing the lock of %s failed", mask_text(lock.conversation_id))
                continue
            if not renewed:
                lock.lost = True
                observability.record_lock_lost()
                logger.error(
                    "lock of %s (fence %d) was lost while its turn was running",
                    mask_text(lock.conversation_id),
                    lock.fence,
                )
                return
        logger.warning(
            "turn of %s held its lock for %.0f s; it will lapse",
            mask_text(lock.conversation_id),
            self.max_hold,
        )

    @asynccontextmanager
    async def lock(  # type: ignore[override]
        self,
        conversation_id: str,
        lock_lifetime: float = DEFAULT_MAX_HOLD,
        wait_time_in_seconds: float = 0.02,
    ) -> AsyncGenerator[FencedLock, None]:
        """Hold the conversation's lock for the body; ``lock_lifetime`` is Rasa's, ignored.

        Rasa passes its 60 s default; our leases are renewed instead, up to ``max_hold``.
        """
        lock = await self.acquire(conversation_id)
        token = _current_fence.set(lock.fence)
        renewer = asyncio.create_task(self._keep_alive(lock), name=f"lock-renew:{lock.fence}")
        try:
            yield lock
        finally:
            renewer.cancel()
            _current_fence.reset(token)
            try:
                released = await asyncio.shield(self.release(lock))
            except Exception:
                logger.exception(
                    "releasing the lock of %s failed; it lapses after %.0f s",
                    mask_text(conversation_id),
                    self.lease,
                )
            else:
                if not released:
                    logger.warning(
                        "lock of %s (fence %d) had already passed to another holder",
                        mask_text(conversation_id),
                        lock.fence,
                    )

    # -- Rasa's ticket-lock interface ------------------------------------------
    # Rasa only ever enters ``lock()``; these keep the base class honest for tools
    # that inspect a store, without the read-modify-write race.

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("FencedRedisLockStore is used through lock() only")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("FencedRedisLockStore is used through lock() only")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("FencedRedisLockStore is used through lock() only")

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
