"""Durable processing of stored messages: the inbound worker each channel runs in Rasa's process.

A webhook stores what it parsed (``bot.services.inbound``) and answers 200. The
:class:`InboundWorker` claims stored messages (one resident at a time, in the
order they were stored, whichever instance stored them), runs each turn with a
timeout while renewing its lease, and completes it: the replies Rasa produced,
collected by :class:`OutboxCollector`, go to the outbox in the same transaction
that marks the message done. A turn that fails or times out completes with an
apology instead of silence. On start the worker takes back what a previous run
of the same instance held; what a dead instance held comes back when its lease
runs out.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot import observability
from bot.config import DEFAULT_RASA_PORT
from bot.domain.identity import ChatIdentity
from bot.services.inbound import ClaimedMessage, InboundQueue, IncomingMessage
from channels.loop import ClaimLoop

logger = logging.getLogger(__name__)

# Rasa's bot-message keys worth keeping for the outbox (everything a channel renders).
BOT_MESSAGE_KEYS = ("text", "buttons", "quick_replies", "image", "attachment", "elements", "custom")


@dataclass(frozen=True)
class Inbound:
    """One thing a resident sent, already parsed into what Tabik does with it.

    Either ``text`` goes to Rasa (with ``metadata``), or ``unsupported`` names the
    kind (voice, sticker, …) and the channel answers itself from replies.yml.
    """

    sender_id: str  # channel-qualified, e.g. "wa:62812…"
    dedupe_key: str  # the platform's message/update id, channel-qualified
    message_id: str
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    unsupported: str | None = None
    sent_at: float | None = None  # platform timestamp (epoch seconds)
    # Telegram callback queries must be answered (spinner stops) before anything else.
    callback_query_id: str | None = None
    # An edit: the dedupe key of the message it corrects (see IncomingMessage.amends).
    amends: str | None = None

    @property
    def masked_sender(self) -> str:
        return ChatIdentity.from_sender_id(self.sender_id).masked()

    def to_incoming(self) -> IncomingMessage:
        """What the inbound store keeps (the whole message, as JSON)."""
        return IncomingMessage(
            sender=ChatIdentity.from_sender_id(self.sender_id),
            platform_id=self.dedupe_key,
            message=asdict(self),
            sent_at=_platform_time(self.sent_at),
            amends=self.amends,
        )

    @classmethod
    def from_stored(cls, message: Mapping[str, Any]) -> Inbound:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in message.items() if k in known})


def _platform_time(epoch: float | None) -> datetime | None:
    """The platform's timestamp, or None when it cannot be a time (a forged year 30432
    must not turn an authentic delivery into a 5xx that the platform retries forever)."""
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


class OutboxCollector(OutputChannel):
    """Rasa's output channel for a durable turn: keeps the bot's messages for the outbox.

    Named like the real channel, so channel-specific responses in domain.yml apply.
    """

    def __init__(self, channel_name: str) -> None:
        self.channel_name = channel_name
        self.messages: list[dict[str, Any]] = []

    def name(self) -> str:  # type: ignore[override]  # per instance: whatsapp or telegram
        return self.channel_name

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        kept = {k: message[k] for k in BOT_MESSAGE_KEYS if message.get(k) not in (None, "", [])}
        if kept:
            self.messages.append(kept)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


def instance_name(rasa_port: int = DEFAULT_RASA_PORT) -> str:
    """This instance among several: host and Rasa port (one Rasa per port and host)."""
    return f"{socket.gethostname()}:{rasa_port}"


# turn(inbound, attempt): the replies to one stored message; attempt > 1 when an
# earlier run may have handled it already (its process died before completing).
Turn = Callable[[Inbound, int], Awaitable[list[dict[str, Any]]]]
Apology = Callable[[], list[dict[str, Any]]]


class TurnFailed(Exception):
    """A turn ended without its replies (Rasa failed, timed out, or kept crashing)."""


@dataclass
class InboundWorker(ClaimLoop):
    """Claims a channel's stored messages and runs their turns; see the module docstring."""

    rows = "message(s)"

    queue: InboundQueue
    channel: str  # "whatsapp" | "telegram"
    turn: Turn
    apology: Apology
    ready: Callable[[], bool] = lambda: True
    concurrency: int = 8
    turn_timeout: float = 120.0
    poll_interval: float = 1.0
    # A message whose turns crashed the process this many times is answered with the
    # apology instead of a further try (a poison message must not loop forever).
    max_attempts: int = 3
    # Called after each completed turn (its replies are in the outbox: wake the sender).
    on_completed: Callable[[], None] = lambda: None
    instance: str = field(default_factory=instance_name)

    def __post_init__(self) -> None:
        self._start()

    async def run(self, stop: asyncio.Event) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        try:
            await self._loop(stop)
        finally:
            heartbeat.cancel()

    async def _release(self, owner: str) -> int:
        return await self.queue.release(owner)

    def _room(self) -> int:
        # While the model is still loading, messages wait in the store.
        return super()._room() if self.ready() else 0

    async def _claim(self, limit: int) -> None:
        claimed = await self.queue.claim(channel=self.channel, worker=self.worker, limit=limit)
        for message in claimed:
            self._spawn(message.id, self._process(message), f"turn:{message.platform_id}")

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(max(0.5, self.queue.lease / 3))
            if self._running:
                try:
                    await self.queue.renew(list(self._running), worker=self.worker)
                except Exception:
                    logger.exception("%s: renewing leases failed", self.channel)

    async def _process(self, claimed: ClaimedMessage) -> None:
        inbound = Inbound.from_stored(claimed.message)
        replies: list[dict[str, Any]] = []
        error: BaseException | None = None
        if claimed.attempts > self.max_attempts:
            error = TurnFailed(f"not answered after {claimed.attempts - 1} tries")
        else:
            try:
                with observability.timed_turn(self.channel):
                    replies = await asyncio.wait_for(
                        self.turn(inbound, claimed.attempts), self.turn_timeout
                    )
            except asyncio.TimeoutError:
                error = TurnFailed(f"turn timed out after {self.turn_timeout:.0f} s")
            except Exception as failure:
                logger.exception(
                    "turn for %s from %s failed", claimed.platform_id, inbound.masked_sender
                )
                error = failure
        if error is not None:
            logger.error(
                "%s from %s answered with the apology: %s",
                claimed.platform_id,
                inbound.masked_sender,
                error,
            )
            replies = [*replies, *self.apology()]
        try:
            await self.queue.complete(claimed, worker=self.worker, replies=replies, error=error)
        except Exception:
            # Left processing: the lease runs out and the message is tried again.
            logger.exception("completing %s failed; it will be retried", claimed.platform_id)
            return
        self.on_completed()

    async def drain(self, timeout: float) -> None:
        """Let running turns finish (server stopping); give the rest back to the store."""
        released = await self._drain(timeout)
        if released:
            logger.warning(
                "%s: %d unfinished message(s) left for the next run", self.channel, released
            )
