"""``python -m bot.workers.notifier``: tells residents when their ticket's status changes.

A loop over the notification outbox (``bot.services.tabik.Tabik.pending_notifications``):
every few seconds it claims each due notification in the key-value store
(``SET NX notify:<id>``, so several instances never send the same one at once),
renders the text from ``bot/data/notifications.yml`` and sends it through the
channel the resident filed from (``send_notification`` of the WhatsApp or
Telegram output, built exactly as the webhook builds it). A delivered one is
marked sent; a failed one is marked failed and tried again later with doubling
waits (five attempts in all, ``bot.services.tabik``). Residents on channels Tabik cannot
reach (REST, terminal, a channel switched off here) are marked failed at once.

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
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from telegram.error import BadRequest, Forbidden

from bot.adapters.kv import KeyValueStore, create_store
from bot.config import Settings, get_settings
from bot.domain.identity import ChatIdentity
from bot.domain.notifications import NotificationTexts, notification_texts, template_params
from bot.domain.privacy import install_log_masking, mask_text
from bot.services.tabik import Tabik
from bot.services.views import NotificationView
from channels.common import WebhookInput
from channels.errors import RecipientNotOnChannel, WhatsAppApiError

# Named, not __name__: run with ``-m`` this module is ``__main__``.
logger = logging.getLogger("bot.workers.notifier")

POLL_INTERVAL_SECONDS = 5.0
BATCH_SIZE = 50
# Longer than one send can take with the outputs' own retries (4 tries, hints up to
# 60 s); after it another instance may pick up a notification whose sender died.
CLAIM_TTL_SECONDS = 300.0
SEND_TIMEOUT_SECONDS = 240.0
# On SIGTERM the notification in flight gets this long before it is abandoned
# (it stays pending and is sent again after the claim expires).
SHUTDOWN_GRACE_SECONDS = 10.0

# WhatsApp errors that no retry can cure: undeliverable (not on WhatsApp, blocked),
# recipient not allowed (test numbers), invalid parameter (our message as built).
WHATSAPP_PERMANENT_CODES = frozenset({131026, 131030, 131009})


class NotificationOutput(Protocol):
    async def send_notification(
        self, recipient_id: str, text: str, template_params: list[str]
    ) -> None: ...


class Outcome(str, enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    GAVE_UP = "gave_up"
    SKIPPED = "skipped"  # claimed by another instance, or settled meanwhile


def is_permanent(error: BaseException) -> bool:
    """Whether sending the same message to the same resident again cannot succeed."""
    if isinstance(error, (RecipientNotOnChannel, Forbidden, BadRequest)):
        return True
    return isinstance(error, WhatsAppApiError) and error.code in WHATSAPP_PERMANENT_CODES


def describe(error: BaseException) -> str:
    """The error for the outbox's last_error and the log, personal data masked."""
    return mask_text(f"{type(error).__name__}: {error}")


@dataclass
class Notifier:
    """Delivers the outbox's due notifications through the channels' outputs."""

    services: Tabik
    outputs: Mapping[str, NotificationOutput]  # by ChatIdentity.channel
    store: KeyValueStore
    texts: NotificationTexts = field(default_factory=notification_texts)
    batch_size: int = BATCH_SIZE
    poll_interval: float = POLL_INTERVAL_SECONDS
    claim_ttl: float = CLAIM_TTL_SECONDS
    send_timeout: float = SEND_TIMEOUT_SECONDS
    shutdown_grace: float = SHUTDOWN_GRACE_SECONDS
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)

    async def run_once(self, stop: asyncio.Event | None = None) -> dict[Outcome, int]:
        """One pass over the due notifications; how many ended how (for logs and tests)."""
        counts = dict.fromkeys(Outcome, 0)
        for item in await self.services.pending_notifications(limit=self.batch_size):
            if stop is not None and stop.is_set():
                break
            counts[await self.deliver(item)] += 1
        return counts

    async def deliver(self, item: NotificationView) -> Outcome:
        key = f"notify:{item.id}"
        if not await self.store.set_nx(key, self.instance, self.claim_ttl):
            return Outcome.SKIPPED
        try:
            # Read again under the claim: another instance may have settled it meanwhile.
            current = await self.services.due_notification(item.id)
        except BaseException:
            await self.store.delete(key)
            raise
        if current is None:
            await self.store.delete(key)
            return Outcome.SKIPPED
        outcome = await self._send(current)
        # Released only once the outcome is stored: if storing it failed, the claim
        # keeps others from sending it again until it expires.
        await self.store.delete(key)
        return outcome

    async def _send(self, item: NotificationView) -> Outcome:
        identity = item.identity
        output = self.outputs.get(identity.channel) if identity is not None else None
        if identity is None or output is None:
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
        try:
            await asyncio.wait_for(
                output.send_notification(identity.sender_id, text, params), self.send_timeout
            )
        except Exception as error:
            return await self._failed(item, identity, error)
        await self.services.mark_notification_sent(item.id)
        logger.info(
            "notification %d sent: %s is %s, told %s",
            item.id,
            item.number,
            item.status.value,
            identity.masked(),
        )
        return Outcome.SENT

    async def _failed(
        self, item: NotificationView, identity: ChatIdentity, error: Exception
    ) -> Outcome:
        permanent = is_permanent(error)
        logger.warning(
            "notification %d for %s to %s failed (attempt %d, %s): %s",
            item.id,
            item.number,
            identity.masked(),
            item.attempts + 1,
            "giving up" if permanent else "will retry",
            describe(error),
            exc_info=not isinstance(error, (WhatsAppApiError, asyncio.TimeoutError)),
        )
        await self.services.mark_notification_failed(
            item.id, reason=describe(error), retry=not permanent
        )
        return Outcome.GAVE_UP if permanent else Outcome.RETRY

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a failed pass (database down…) is logged and retried."""
        logger.info(
            "notifier started (channels: %s; every %.1f s)",
            ", ".join(sorted(self.outputs)) or "none",
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
        if any(counts[k] for k in (Outcome.SENT, Outcome.RETRY, Outcome.GAVE_UP)):
            logger.info("notifier pass: %s", {k.value: v for k, v in counts.items()})


def build_channels(settings: Settings) -> dict[str, WebhookInput]:
    """The enabled channels, built as the webhook builds them; no outbound call is made."""
    channels: dict[str, WebhookInput] = {}
    if settings.whatsapp is not None:
        from channels.whatsapp import WhatsAppInput

        channels["whatsapp"] = WhatsAppInput.from_settings(settings)
    if settings.telegram is not None:
        from channels.telegram import TelegramInput

        channels["telegram"] = TelegramInput.from_settings(settings)
    return channels


def outputs_of(channels: Mapping[str, WebhookInput]) -> dict[str, NotificationOutput]:
    outputs: dict[str, NotificationOutput] = {}
    for name, channel in channels.items():
        output = channel.get_output_channel()
        if output is None or not hasattr(output, "send_notification"):
            raise TypeError(f"channel {name} has no output for notifications")
        outputs[name] = output
    return outputs


async def serve(settings: Settings, *, interval: float, batch: int) -> None:
    from bot.bootstrap import build_services

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    store = create_store(settings.redis_url)
    services, engine = build_services(settings, store=store, extensions=False)
    channels = build_channels(settings)
    notifier = Notifier(
        services,
        outputs_of(channels),
        store,
        batch_size=batch,
        poll_interval=interval,
    )
    try:
        await notifier.run(stop)
    finally:
        for channel in channels.values():
            await channel.aclose()
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
