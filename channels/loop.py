"""The claiming loop the inbound worker and the outbox sender share.

Each claims rows of its channel under a name of this instance (``prefix``) plus
a random part (``worker``), runs every claimed row as a task, and between
rounds waits for a wake-up, for ``stop`` or for its poll interval. On start it
takes back what a previous run under the same prefix still held; on drain it
lets the running tasks finish for a while and cancels the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import Coroutine
from typing import Any, ClassVar

logger = logging.getLogger(__name__)


class ClaimLoop:
    """The base of ``InboundWorker`` and ``OutboxSender`` (both dataclasses).

    A subclass calls ``_start`` from ``__post_init__`` and implements ``_claim``
    (claim up to a limit and ``_spawn`` a task for each row) and ``_release``
    (give claims back to its queue).
    """

    # How the log names this loop's rows ("message(s)", "outbox row(s)").
    rows: ClassVar[str]
    channel: str
    instance: str
    poll_interval: float
    concurrency: int

    def _start(self, role: str = "") -> None:
        self.prefix = f"{self.instance}/{self.channel}{role}/"
        self.worker = f"{self.prefix}{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}

    def wake(self) -> None:
        """New rows were stored: look now instead of at the next poll."""
        self._wake.set()

    @property
    def busy(self) -> int:
        return len(self._running)

    async def _claim(self, limit: int) -> None:
        raise NotImplementedError

    async def _release(self, owner: str) -> int:
        raise NotImplementedError

    def _room(self) -> int:
        """Hook: how many more rows to claim now."""
        return self.concurrency - len(self._running)

    def _pause(self) -> float:
        """Hook: how long to wait at least before the next round (0: the poll interval)."""
        return 0.0

    async def _loop(self, stop: asyncio.Event) -> None:
        """Take back the last run's claims, then fill and wait round after round until ``stop``."""
        try:
            taken = await self._release(self.prefix)
        except Exception:
            # Not fatal: those claims expire on their own after the lease.
            logger.exception("%s: could not take back the last run's %s", self.channel, self.rows)
            taken = 0
        if taken:
            logger.warning("%s: took back %d %s of the last run", self.channel, taken, self.rows)
        while not stop.is_set():
            await self._fill()
            self._wake.clear()
            waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED),
                    max(self._pause(), self.poll_interval),
                )
            for waiting in waits:
                waiting.cancel()

    async def _fill(self) -> None:
        limit = self._room()
        if limit <= 0:
            return
        try:
            await self._claim(limit)
        except Exception:
            logger.exception("%s: claiming %s failed; next try soon", self.channel, self.rows)

    def _spawn(self, row_id: int, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._running[row_id] = task
        task.add_done_callback(functools.partial(self._finished, row_id))

    def _finished(self, row_id: int, _task: asyncio.Task[None]) -> None:
        self._running.pop(row_id, None)
        self._wake.set()  # a resident's next row may be claimable now

    async def _drain(self, timeout: float) -> int:
        """Let running tasks finish within ``timeout``, cancel the rest; release this worker's
        claims and return how many were left."""
        running = list(self._running.values())
        if running:
            logger.info(
                "%s: waiting for %d %s still running", self.channel, len(running), self.rows
            )
            _, late = await asyncio.wait(running, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        return await self._release(self.worker)
