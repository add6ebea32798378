"""The queues a channel's webhook, worker and sender share (``ChannelQueues``), and the
queue gauges every instance reports while it runs (``report_queues``).

Their stores come from :func:`bot.bootstrap.channel_stores`; nothing here opens a connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from bot import observability
from bot.services.inbound import InboundQueue
from bot.services.outbox import Outbox
from channels.inbound import instance_name

if TYPE_CHECKING:
    from bot.bootstrap import ChannelStores

logger = logging.getLogger(__name__)

# How often the queue gauges (depth, oldest unsent reply) are read from the database.
QUEUE_METRICS_INTERVAL = 15.0


@dataclass
class ChannelQueues:
    """The queues a channel's webhook, worker and sender share, and their pace."""

    inbound: InboundQueue
    outbox: Outbox
    engine: Engine | None = None  # owned (disposed on close) when given
    turn_timeout: float = 120.0
    poll_interval: float = 1.0
    # This instance among several (host and Rasa port); names the workers' claims.
    instance: str = field(default_factory=instance_name)

    @classmethod
    def on(cls, stores: ChannelStores, **options: Any) -> ChannelQueues:
        """The queues over ``stores`` (from :func:`bot.bootstrap.channel_stores`)."""
        return cls(stores.inbound, stores.outbox, stores.engine, **options)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until nothing is waiting or running in either queue (tests, tools)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            inbound, outbox = await self.inbound.counts(), await self.outbox.counts()
            open_rows = inbound.get("pending", 0) + inbound.get("processing", 0)
            open_rows += outbox.get("pending", 0) + outbox.get("sending", 0)
            if not open_rows:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"still open after {timeout} s: {inbound} {outbox}")
            await asyncio.sleep(0.02)


async def read_queues(queues: ChannelQueues) -> None:
    """Set the queue gauges once: open rows of both queues, the oldest unsent reply."""
    inbound, outbox = await queues.inbound.counts(), await queues.outbox.counts()
    observability.set_queue_depth(
        "inbound", inbound.get("pending", 0) + inbound.get("processing", 0)
    )
    observability.set_queue_depth("outbox", outbox.get("pending", 0) + outbox.get("sending", 0))
    observability.set_outbox_age(await queues.outbox.oldest_unsent_age())


async def report_queues(
    queues: ChannelQueues, stop: asyncio.Event, interval: float = QUEUE_METRICS_INTERVAL
) -> None:
    """Keep the queue gauges current until ``stop``.

    The queues are shared, so every instance reports the same figures (take the
    maximum across instances, not the sum). A failed read is logged and tried at
    the next interval; it never stops the channel.
    """
    while not stop.is_set():
        try:
            await read_queues(queues)
        except Exception:
            logger.exception("reading the queues for the metrics failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
