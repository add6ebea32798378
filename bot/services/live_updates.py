"""Telling the console's open pages that something changed, without a reload.

One :class:`ChangeWatch` per process polls the :class:`ChangeMarkers` (one cheap
query) every ``interval`` seconds while at least one page listens, however many
pages are open; pages of every instance see the same database, so a change made
through another instance shows too. A listener learns only that the markers moved;
it then asks the desk in its own user's scope what it shows now, so nothing outside
that scope can leak through here. :class:`StreamLimits` bounds the open pages per user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["ChangeMarkers", "ChangeWatch", "StreamLimits", "TooManyStreams"]

log = logging.getLogger(__name__)


class ChangeMarkers(Protocol):
    def current(self) -> tuple[object, ...]:
        """Values that move whenever a ticket or a handoff changes (newest ids and times)."""


class TooManyStreams(Exception):
    """A user already has ``limit`` live pages open (in this process)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} live pages per user")
        self.limit = limit


@dataclass(eq=False)
class StreamLimits:
    """How many live pages each user has open; at most ``per_user``."""

    per_user: int = 5
    _open: Counter[int] = field(default_factory=Counter)

    def acquire(self, user_id: int) -> None:
        if self._open[user_id] >= self.per_user:
            raise TooManyStreams(self.per_user)
        self._open[user_id] += 1

    def release(self, user_id: int) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]

    def count(self, user_id: int) -> int:
        return self._open[user_id]


@dataclass(eq=False)
class ChangeWatch:
    """Polls ``markers`` while anyone listens; :meth:`wait` returns when they moved."""

    markers: ChangeMarkers
    interval: float = 1.0
    _generation: int = 0
    _listeners: int = 0
    _last: tuple[object, ...] | None = None
    _changed: asyncio.Event | None = None  # set at the next change, then replaced
    _task: asyncio.Task[None] | None = None

    @property
    def generation(self) -> int:
        """Counts the changes seen so far; a listener keeps the one it last acted on."""
        return self._generation

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[None]:
        """While inside, the markers are polled (one poller for all listeners). The first
        listener reads them before it looks at anything, so no change falls in between."""
        self._listeners += 1
        if self._task is None or self._task.done():
            with contextlib.suppress(Exception):  # the poller logs it and tries again
                self._last = await asyncio.to_thread(self.markers.current)
            self._task = asyncio.create_task(self._poll(), name="console-live-poll")
        try:
            yield
        finally:
            self._listeners -= 1

    async def wait(self, seen: int, timeout: float) -> int:
        """The generation once it passed ``seen``, or ``seen`` after ``timeout`` seconds."""
        if self._generation == seen:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._event().wait(), timeout)
        return self._generation

    async def _poll(self) -> None:
        while self._listeners > 0:
            try:
                now = await asyncio.to_thread(self.markers.current)
            except Exception:
                # The database is away: pages keep what they show and try again.
                log.warning("live pages: change markers not read", exc_info=True)
            else:
                if now != self._last:
                    first = self._last is None
                    self._last = now
                    if not first:
                        self._generation += 1
                        changed, self._changed = self._event(), asyncio.Event()
                        changed.set()
            await asyncio.sleep(self.interval)
        self._last = None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
