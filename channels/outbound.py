"""The outbox sender each channel runs in Rasa's process: delivers queued messages, retries.

It claims due outbox rows of its channel (``bot.services.outbox``; one resident's
rows one at a time, in order), hands each to the channel's ``deliver`` and settles
it: sent; failed for good when no retry can cure the error; otherwise pending
again after the :class:`~channels.retry.RetryPolicy` delay (the platform's
``retry_after`` when it gave one). When the platform itself is down, the whole
sender pauses for that delay and then probes with one message at a time instead
of trying every queued one, so an outage of hours costs a few calls a minute;
the first success resumes full speed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot import observability
from bot.domain.privacy import mask_text
from bot.services.outbox import Outbox, OutboxItem
from channels.inbound import instance_name
from channels.loop import ClaimLoop
from channels.retry import Classify, RetryPolicy

logger = logging.getLogger(__name__)

# deliver(item, progress): send item.messages[item.parts_sent:], awaiting
# progress(n) after the n-th message went out.
Progress = Callable[[int], Awaitable[None]]
Deliver = Callable[[OutboxItem, Progress], Awaitable[None]]


@dataclass
class OutboxSender(ClaimLoop):
    rows = "outbox row(s)"

    outbox: Outbox
    channel: str
    deliver: Deliver
    classify: Classify
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: int = 16
    poll_interval: float = 1.0
    instance: str = field(default_factory=instance_name)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._start("-out")
        self._paused_until = 0.0
        self._platform_failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        await self._loop(stop)

    async def _release(self, owner: str) -> int:
        return await self.outbox.release(owner)

    def _pause(self) -> float:
        return max(0.0, self._paused_until - self.clock())

    def _room(self) -> int:
        if self.clock() < self._paused_until:
            return 0
        if self._platform_failures:
            # The platform was down at the last try: one row probes it, the rest wait.
            return 0 if self._running else 1
        return super()._room()

    async def _claim(self, limit: int) -> None:
        items = await self.outbox.claim(channel=self.channel, worker=self.worker, limit=limit)
        for item in items:
            self._spawn(item.id, self._send(item), f"outbox:{item.id}")

    async def _send(self, item: OutboxItem) -> None:
        try:
            await self._send_and_settle(item)
        except Exception:
            # The claim runs out and the row is sent again: at least once, never lost.
            logger.exception("outbox %d: settling failed; it will be tried again", item.id)

    async def _send_and_settle(self, item: OutboxItem) -> None:
        done = item.parts_sent

        async def progress(parts: int) -> None:
            nonlocal done
            done = parts
            await self.outbox.record_progress(item.id, worker=self.worker, parts_sent=parts)

        try:
            await self.deliver(item, progress)
        except Exception as error:
            await self._failed(item, error, done)
            return
        self._platform_failures = 0
        # The platform has them, whatever happens to the bookkeeping below.
        observability.record_sent(self.channel, count=len(item.messages) - item.parts_sent)
        await self.outbox.mark_sent(item, worker=self.worker, parts_sent=len(item.messages))
        logger.info("outbox %d (%s) sent to %s", item.id, item.kind, item.recipient.masked())

    async def _failed(self, item: OutboxItem, error: Exception, parts_sent: int) -> None:
        verdict = self.classify(error)
        reason = mask_text(f"{type(error).__name__}: {error}")
        if verdict is None:
            logger.error(
                "outbox %d to %s failed for good: %s", item.id, item.recipient.masked(), reason
            )
            observability.record_sent(self.channel, ok=False)
            await self.outbox.mark_failed(
                item, worker=self.worker, error=error, parts_sent=parts_sent
            )
            return
        observability.record_retry(self.channel, type(error).__name__)
        if verdict.recipient_only:
            delay = self.policy.delay(verdict, item.attempts + 1)
        else:
            # The platform is down or throttling us: everyone waits, one call probes.
            self._platform_failures += 1
            delay = self.policy.delay(verdict, self._platform_failures)
            self._paused_until = max(self._paused_until, self.clock() + delay)
        status = await self.outbox.mark_retry(
            item, worker=self.worker, error=error, delay=delay, parts_sent=parts_sent
        )
        if status != "pending":
            observability.record_sent(self.channel, ok=False)
        logger.warning(
            "outbox %d to %s not sent (attempt %d): %s; %s",
            item.id,
            item.recipient.masked(),
            item.attempts + 1,
            reason,
            f"next try in {delay:.1f} s" if status == "pending" else "given up",
        )

    async def drain(self, timeout: float) -> None:
        await self._drain(timeout)
