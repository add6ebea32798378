"""Delivers what the outbox holds for one channel, as the sender in Rasa's process would.

For tests that run the console or the notifier in-process, without ``make serve``:
the real channel (its platform client, its retry classification) sends the rows.
"""

from __future__ import annotations

import asyncio

from bot.config import Settings
from channels.outbound import OutboxSender
from channels.retry import RetryPolicy
from channels.telegram import TelegramInput
from channels.whatsapp import WhatsAppInput


async def deliver_pending(
    settings: Settings, channel: str = "whatsapp", *, rounds: int = 300
) -> int:
    """Send every open row of ``channel``; how many rows were sent."""
    kind = WhatsAppInput if channel == "whatsapp" else TelegramInput
    input_channel = kind.from_settings(settings)
    outbox = input_channel.queues.outbox
    before = len(await outbox.list(statuses=("sent",), limit=10_000))
    sender = OutboxSender(
        outbox,
        channel=channel,
        deliver=input_channel.deliver_item,
        classify=input_channel.classify_send_error,
        policy=RetryPolicy(base_delay=0.05, max_delay=0.2),
        poll_interval=0.02,
        instance="test-delivery:0",
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(sender.run(stop))
    try:
        for _ in range(rounds):
            if not await outbox.list(statuses=("pending", "sending"), limit=1) and not sender.busy:
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await loop
        await sender.drain(2.0)
        await input_channel.aclose()
    return len(await outbox.list(statuses=("sent",), limit=10_000)) - before
