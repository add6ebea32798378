"""``python -m bot.workers.notifier``: tells residents when their ticket's status changes.

A loop over the notification records (``bot.services.tabik.Tabik.pending_notifications``):
every few seconds it renders each due one from ``bot/data/notifications.yml``
and hands it to the outbox (``bot.services.outbox``, key ``notification:<id>``,
so several notifiers never queue one twice), then marks it sent. The channels'
outbox senders in Rasa's process deliver it like any reply: as free text inside
WhatsApp's 24-hour window (known from the database), as the approved template
outside it, with retries that outlast platform outages. Residents on channels
Tabik cannot reach from here (REST, terminal, a channel switched off) are
marked failed at once.

Start-up makes no outbound call; SIGTERM/SIGINT stop it after the notification
in flight. Options: ``--interval SECONDS`` (default 5), ``--batch N`` (default 50).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.config import Settings, get_settings
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketStatus
from bot.domain.notifications import NotificationTexts, notification_texts, template_params
from bot.domain.privacy import install_log_masking
from bot.domain.ratings import RatingTexts, rating_texts
from bot.services.outbox import Outbox
from bot.services.tabik import Tabik
from bot.services.views import NotificationView

# Named, not __name__: run with ``-m`` this module is ``__main__``.
logger = logging.getLogger("bot.workers.notifier")

POLL_INTERVAL_SECONDS = 5.0
BATCH_SIZE = 50
# On SIGTERM the pass in flight gets this long before it is abandoned (what was not
# marked sent yet is queued again next time; the outbox key keeps it single).
SHUTDOWN_GRACE_SECONDS = 10.0


class Outcome(str, enum.Enum):
    QUEUED = "queued"
    GAVE_UP = "gave_up"


def reachable_channels(settings: Settings) -> frozenset[str]:
    """Channels whose senders run in Rasa's process with this configuration."""
    channels = set()
    if settings.whatsapp is not None:
        channels.add("whatsapp")
    if settings.telegram is not None:
        channels.add("telegram")
    return frozenset(channels)


@dataclass
class Notifier:
    """Hands the due notifications to the outbox."""

    services: Tabik
    outbox: Outbox
    channels: frozenset[str]  # the ChatIdentity.channel values that can be reached
    texts: NotificationTexts = field(default_factory=notification_texts)
    rating: RatingTexts = field(default_factory=rating_texts)
    batch_size: int = BATCH_SIZE
    poll_interval: float = POLL_INTERVAL_SECONDS
    shutdown_grace: float = SHUTDOWN_GRACE_SECONDS

    async def run_once(self, stop: asyncio.Event | None = None) -> dict[Outcome, int]:
        """One pass over the due notifications; how many ended how (for logs and tests)."""
        counts = dict.fromkeys(Outcome, 0)
        for item in await self.services.pending_notifications(limit=self.batch_size):
            if stop is not None and stop.is_set():
                break
            counts[await self.deliver(item)] += 1
        return counts

    async def deliver(self, item: NotificationView) -> Outcome:
        identity = item.identity
        if identity is None or identity.channel not in self.channels:
            channel = identity.channel if identity is not None else "none"
            await self.services.mark_notification_failed(
                item.id, reason=f"channel {channel} cannot be reached", retry=False
            )
            logger.info(
                "notification %d for %s: channel %s cannot be reached; not sent",
                item.id,
                item.number,
                channel,
            )
            return Outcome.GAVE_UP
        text = self.texts.render(
            number=item.number,
            status=item.status,
            note=item.note,
            bold=identity.channel == "whatsapp",
        )
        params = template_params(number=item.number, status=item.status, note=item.note)
        await self.outbox.enqueue(
            identity,
            [{"text": text, "custom": {"template_params": params}}],
            kind="notification",
            key=f"notification:{item.id}",
        )
        if item.status is TicketStatus.SELESAI:
            await self._ask_rating(item, identity)
        await self.services.mark_notification_sent(item.id)
        logger.info(
            "notification %d queued: %s is %s, for %s",
            item.id,
            item.number,
            item.status.value,
            identity.masked(),
        )
        return Outcome.QUEUED

    async def _ask_rating(self, item: NotificationView, identity: ChatIdentity) -> None:
        """The rating question, right behind the ``selesai`` notification.

        Recorded as pending before it is queued, so an answer never comes before its
        question. Queued as a reply (its own row, sent after the notification): buttons
        inside WhatsApp's window, numbered lines in the reply template outside it.
        """
        if not await self.services.request_rating(item.number, identity=identity):
            return
        await self.outbox.enqueue(
            identity,
            [{"text": self.rating.render_question(item.number), "buttons": self.rating.buttons()}],
            kind="reply",
            key=f"rating:{item.id}",
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a failed pass (database down…) is logged and retried."""
        logger.info(
            "notifier started (channels: %s; every %.1f s)",
            ", ".join(sorted(self.channels)) or "none",
            self.poll_interval,
        )
        while not stop.is_set():
            await self._pass(stop)
            with contextlib.suppress(asyncio.TimeoutError):
                # Waiting is the point here: the timeout ends the pause between passes.
                await asyncio.wait_for(stop.wait(), self.poll_interval)
        logger.info("notifier stopped")

    async def _pass(self, stop: asyncio.Event) -> None:
        cycle = asyncio.create_task(self.run_once(stop))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({cycle, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not cycle.done():
                # Stop asked for mid-send: let the notification in flight finish.
                await asyncio.wait({cycle}, timeout=self.shutdown_grace)
            if not cycle.done():
                logger.warning("notifier: abandoning the notification in flight to stop")
                cycle.cancel()
                await asyncio.wait({cycle})
                return
        finally:
            stopping.cancel()
        if cycle.cancelled():
            return
        error = cycle.exception()
        if error is not None:
            logger.error(
                "notifier pass failed; next try in %.1f s",
                self.poll_interval,
                exc_info=(type(error), error, error.__traceback__),
            )
            return
        counts = cycle.result()
        if any(counts.values()):
            logger.info("notifier pass: %s", {k.value: v for k, v in counts.items()})


async def serve(settings: Settings, *, interval: float, batch: int) -> None:
    from bot.adapters.db.message_queue import outbox_on
    from bot.adapters.kv import create_store
    from bot.bootstrap import build_services

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    store = create_store(settings.redis_url, prefix=settings.redis_key_prefix)
    services, engine = build_services(settings, store=store, extensions=False)
    notifier = Notifier(
        services,
        outbox_on(engine),
        reachable_channels(settings),
        batch_size=batch,
        poll_interval=interval,
    )
    try:
        await notifier.run(stop)
    finally:
        await store.close()
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.workers.notifier", description=__doc__)
    parser.add_argument("--interval", type=float, default=POLL_INTERVAL_SECONDS)
    parser.add_argument("--batch", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)
    if args.interval <= 0 or args.batch <= 0:
        parser.error("--interval and --batch must be positive")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    # httpx logs every request URL at INFO, and Telegram's URLs hold the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_settings()
    if settings.whatsapp is None and settings.telegram is None:
        logger.warning("no WhatsApp or Telegram credentials: nothing to notify through")
    asyncio.run(serve(settings, interval=args.interval, batch=args.batch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
