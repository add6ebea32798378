"""The base of both webhook input channels (``WebhookInput``) and their durable messaging.

A webhook authenticates and parses a delivery, stores the messages
(``bot.services.inbound``) and only then answers 200; a database it cannot
reach gets the platform a 503, so the platform delivers again. In Rasa's
process each channel runs two loops (started with the server, stopped with
it): the inbound worker (``channels.inbound``) runs stored messages' turns and
puts the replies into the outbox, the outbox sender (``channels.outbound``)
delivers them with retries. Several instances on one database share both
queues. Texts, payloads and retries live in ``channels.text``,
``channels.payloads`` and ``channels.retry``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, ClassVar, NoReturn, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import observability
from bot.adapters.db.engine import make_engine
from bot.adapters.kv import KeyValueStore
from bot.config import Settings, TelegramSettings, WhatsAppSettings, get_settings
from bot.services.inbound import InboundQueue
from bot.services.outbox import Outbox, OutboxItem
from channels.inbound import (
    BOT_MESSAGE_KEYS,
    Inbound,
    InboundWorker,
    OutboxCollector,
    instance_name,
)
from channels.outbound import OutboxSender, Progress
from channels.payloads import PayloadRegistry
from channels.retry import Retry, RetryPolicy
from channels.text import Replies

logger = logging.getLogger(__name__)

# The apology for a turn that failed or timed out (domain.yml; replies.yml as a fallback).
APOLOGY_RESPONSE = "utter_system_busy"
# On shutdown, running turns and sends get this long before they are handed back.
SHUTDOWN_GRACE_SECONDS = 10.0
# How often the queue gauges (depth, oldest unsent reply) are read from the database.
QUEUE_METRICS_INTERVAL = 15.0


@dataclass
class Messaging:
    """The stores a channel's webhook, worker and sender share, and their pace."""

    inbound: InboundQueue
    outbox: Outbox
    engine: Engine | None = None  # owned (disposed on close) when built from a URL
    turn_timeout: float = 120.0
    poll_interval: float = 1.0
    # This instance among several (host and Rasa port); names the workers' claims.
    instance: str = field(default_factory=instance_name)

    @classmethod
    def from_url(
        cls,
        database_url: str,
        *,
        inbound_lease: float = 60.0,
        outbox_lease: float = 120.0,
        **options: Any,
    ) -> Messaging:
        engine = make_engine(database_url)
        outbox = Outbox(engine, lease=outbox_lease)
        return cls(InboundQueue(engine, outbox, lease=inbound_lease), outbox, engine, **options)

    @classmethod
    def from_settings(cls, settings: Settings) -> Messaging:
        return cls.from_url(
            settings.database_url,
            inbound_lease=settings.inbound_lease,
            outbox_lease=settings.outbox_lease,
        )

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


ChannelSettings = TypeVar("ChannelSettings", TelegramSettings, WhatsAppSettings)


def channel_settings(
    configured: ChannelSettings | None,
    credentials: Mapping[str, Any] | None,
    *,
    settings_type: type[ChannelSettings],
    required: tuple[str, ...],
    on_missing: Callable[[], NoReturn],
) -> ChannelSettings:
    """The environment's settings for a channel with non-empty credentials.yml keys laid over.

    Without settings in the environment, credentials.yml must give every ``required``
    key (else ``on_missing`` raises); any other field without a default starts as None.
    """
    overrides = {k: str(v) for k, v in (credentials or {}).items() if v not in (None, "")}
    config = configured
    if config is None:
        if not all(overrides.get(k) for k in required):
            on_missing()
        bare: dict[str, Any] = {
            f.name: overrides.get(f.name) for f in fields(settings_type) if f.default is MISSING
        }
        config = settings_type(**bare)
    known = {f.name for f in fields(settings_type)}
    config = replace(config, **{k: v for k, v in overrides.items() if k in known})
    return replace(config, api_base=config.api_base.rstrip("/"))


def without_template_params(message: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A queued bot message without the WhatsApp template parameters it may carry."""
    message = dict(message)
    custom = dict(message.pop("custom", None) or {})
    params = [str(p) for p in custom.pop("template_params", None) or []]
    if custom:
        message["custom"] = custom
    return message, params


class WebhookInput(InputChannel):
    """What both webhook input channels hold, how a stored message reaches Rasa, how
    queued replies leave. A subclass builds ``output`` and implements ``deliver_item``."""

    # Failures of sending (not of Rasa), for the subclass's classification.
    send_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    output: OutputChannel
    retry: RetryPolicy

    def __init__(
        self,
        store: KeyValueStore,
        *,
        namespace: str,
        replies: Replies | None = None,
        messaging: Messaging | None = None,
    ) -> None:
        self.store = store
        self.replies = replies or Replies.load()
        self.payloads = PayloadRegistry(store, namespace=namespace)
        self._messaging = messaging
        self._on_new_message: Callable[[UserMessage], Awaitable[Any]] | None = None
        self.worker: InboundWorker | None = None
        self.sender: OutboxSender | None = None
        self._stop: asyncio.Event | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._app: Sanic | None = None

    @property
    def messaging(self) -> Messaging:
        if self._messaging is None:
            self._messaging = Messaging.from_settings(get_settings())
        return self._messaging

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Configuration from the environment; keys in credentials.yml may override it."""
        return cls.from_settings(get_settings(), credentials)

    @classmethod
    def from_settings(
        cls, settings: Settings, credentials: Mapping[str, Any] | None = None
    ) -> WebhookInput:
        raise NotImplementedError

    # ------------------------------------------------------------------ inbound

    async def store_inbound(self, messages: list[Inbound]) -> tuple[int, str]:
        """Keep a delivery's messages; the HTTP status and text to answer the platform."""
        if messages:
            try:
                stored = await self.messaging.inbound.accept([m.to_incoming() for m in messages])
            except Exception:
                # Nothing acknowledged: the platform delivers again later.
                logger.exception(
                    "%s: could not store a delivery; asking for redelivery", self.name()
                )
                return 503, "busy"
            # Counted once: a redelivery of a stored message is not a new one.
            observability.record_received(self.name(), count=len(stored))
            if self.worker is not None:
                self.worker.wake()
        return 200, "ok"

    async def before_turn(self, inbound: Inbound) -> None:
        """Hook: platform chores before a stored message's turn (Telegram's callback answer)."""

    async def run_turn(self, inbound: Inbound, attempt: int = 1) -> list[dict[str, Any]]:
        """The replies to one stored message: Rasa's, or the channel's own from replies.yml.

        On a later attempt, a turn the conversation store already holds (the process
        died after Rasa saved it, before the replies were queued) is not run again:
        its replies are read back from the stored conversation, so no form step or
        filing happens twice.
        """
        if attempt > 1:
            replayed = await self.replies_already_given(inbound)
            if replayed is not None:
                logger.info(
                    "%s from %s was handled before a crash; its replies are sent now",
                    inbound.dedupe_key,
                    inbound.masked_sender,
                )
                return replayed
        await self.before_turn(inbound)
        if inbound.unsupported is not None:
            logger.info(
                "%s sent a %s; answered from replies.yml",
                inbound.masked_sender,
                inbound.unsupported,
            )
            return [{"text": self.replies.for_unsupported(inbound.unsupported)}]
        text = inbound.text or ""
        if inbound.metadata.get("button"):
            payload = await self.payloads.decode(text)
            if payload is None:
                return [{"text": self.replies["button_expired"]}]
            text = payload
        if self._on_new_message is None:
            raise RuntimeError("the channel's blueprint was not registered with Rasa")
        collector = OutboxCollector(self.name())
        await self._on_new_message(
            UserMessage(
                text,
                collector,
                inbound.sender_id,
                input_channel=self.name(),
                message_id=inbound.message_id,
                metadata={"tabik": inbound.metadata},
            )
        )
        return collector.messages

    async def replies_already_given(self, inbound: Inbound) -> list[dict[str, Any]] | None:
        """The bot's messages after this message in the stored conversation, or None
        when Rasa never finished a turn for it (or there is no conversation store)."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None or not inbound.message_id:
            return None
        tracker = await store.retrieve(inbound.sender_id)
        if tracker is None:
            return None
        replies: list[dict[str, Any]] = []
        found = False
        for event in tracker.events:
            if isinstance(event, UserUttered):
                if found:
                    break
                found = event.message_id == inbound.message_id
            elif found and isinstance(event, BotUttered):
                message = {"text": event.text, **(event.data or {})}
                replies.append(
                    {
                        k: message[k]
                        for k in BOT_MESSAGE_KEYS
                        if message.get(k) not in (None, "", [])
                    }
                )
        return replies if found else None

    # ------------------------------------------------------------------ outbound

    def classify_send_error(self, error: BaseException) -> Retry | None:
        """Hook: retry (and after how long) or give up on an outbox row that failed."""
        raise NotImplementedError

    async def deliver_item(self, item: OutboxItem, progress: Progress) -> None:
        """Hook: send ``item.messages[item.parts_sent:]``, awaiting ``progress(n)`` after each."""
        raise NotImplementedError

    # ------------------------------------------------------------------ lifecycle

    def start_workers(self, app: Sanic | None = None) -> None:
        """Start the inbound worker and the outbox sender on the running event loop."""
        messaging = self.messaging
        self._app = app
        self._stop = asyncio.Event()
        self.sender = OutboxSender(
            messaging.outbox,
            channel=self.name(),
            deliver=self.deliver_item,
            classify=self.classify_send_error,
            policy=self.retry,
            poll_interval=messaging.poll_interval,
            instance=messaging.instance,
        )
        self.worker = InboundWorker(
            messaging.inbound,
            channel=self.name(),
            turn=self.run_turn,
            apology=lambda: [{"text": self.apology_text(app)}],
            ready=lambda: agent_ready(app),
            turn_timeout=messaging.turn_timeout,
            poll_interval=messaging.poll_interval,
            on_completed=self.sender.wake,
            instance=messaging.instance,
        )
        self._loops = [
            asyncio.create_task(self.worker.run(self._stop), name=f"{self.name()}:inbound"),
            asyncio.create_task(self.sender.run(self._stop), name=f"{self.name()}:outbox"),
            asyncio.create_task(
                report_queues(messaging, self._stop), name=f"{self.name()}:queue-metrics"
            ),
        ]

    async def stop_workers(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        if self._stop is None:
            return
        self._stop.set()
        await asyncio.gather(*self._loops, return_exceptions=True)
        if self.worker is not None:
            await self.worker.drain(grace)
        if self.sender is not None:
            await self.sender.drain(grace)
        self._stop = None

    def apology_text(self, app: Sanic | None) -> str:
        """The domain's ``utter_system_busy`` when the model has it, else replies.yml's."""
        agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
        domain = getattr(agent, "domain", None)
        variants = getattr(domain, "responses", {}).get(APOLOGY_RESPONSE) or []
        for variant in variants:
            if isinstance(variant, Mapping) and variant.get("text"):
                return str(variant["text"])
        return self.replies["processing_failed"]

    def webhook_blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The health route ``/``, and the workers started and stopped with the server.

        A subclass adds its ``/webhook`` routes.
        """
        self._on_new_message = on_new_message
        webhook = Blueprint(f"tabik_{self.name()}_webhook", type(self).__module__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.listener("after_server_start")
        async def start(app: Sanic, *_: Any) -> None:
            self.start_workers(app)

        @webhook.listener("before_server_stop")
        async def drain(*_: Any) -> None:
            await self.stop_workers()

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.aclose()

        return webhook

    async def aclose(self) -> None:
        """Close what the channel opened; a subclass closes its API client, then calls this."""
        await self.store.close()
        if self._messaging is not None:
            self._messaging.close()


async def read_queues(messaging: Messaging) -> None:
    """Set the queue gauges once: open rows of both queues, the oldest unsent reply."""
    inbound, outbox = await messaging.inbound.counts(), await messaging.outbox.counts()
    observability.set_queue_depth(
        "inbound", inbound.get("pending", 0) + inbound.get("processing", 0)
    )
    observability.set_queue_depth("outbox", outbox.get("pending", 0) + outbox.get("sending", 0))
    observability.set_outbox_age(await messaging.outbox.oldest_unsent_age())


async def report_queues(
    messaging: Messaging, stop: asyncio.Event, interval: float = QUEUE_METRICS_INTERVAL
) -> None:
    """Keep the queue gauges current until ``stop``.

    The queues are shared, so every instance reports the same figures (take the
    maximum across instances, not the sum). A failed read is logged and tried at
    the next interval; it never stops the channel.
    """
    while not stop.is_set():
        try:
            await read_queues(messaging)
        except Exception:
            logger.exception("reading the queues for the metrics failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def agent_ready(app: Sanic | None) -> bool:
    """Whether Rasa's model is loaded (messages wait in the store until it is)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
    if agent is None:
        return False
    is_ready = getattr(agent, "is_ready", None)
    return bool(is_ready()) if callable(is_ready) else True


__all__ = [
    "Inbound",
    "Messaging",
    "PayloadRegistry",
    "Replies",
    "Retry",
    "RetryPolicy",
    "WebhookInput",
    "agent_ready",
    "channel_settings",
    "without_template_params",
]
