"""The base of both webhook input channels (``WebhookInput``) and their durable messaging.

A webhook authenticates and parses a delivery, stores the messages
(``bot.services.inbound``) and only then answers 200; a database it cannot
reach gets the platform a 503, so the platform delivers again. In Rasa's
process each channel runs two loops (started with the server, stopped with
it): the inbound worker (``channels.inbound``) runs stored messages' turns and
puts the replies into the outbox, the outbox sender (``channels.outbound``)
delivers them with retries. Several instances on one database share both
queues (``channels.queues``). What a channel is built with is
``channels.parts`` (made by :func:`bot.bootstrap.for_channels`); texts, payloads
and retries live in ``channels.text``, ``channels.payloads`` and
``channels.retry``; rendering on a platform in ``channels.output``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import observability
from bot.adapters.media import MediaRefused
from bot.adapters.rate_limit import RateLimiter
from bot.config import Settings, get_settings
from bot.services.inbound import UnstorableMessage
from bot.services.outbox import OutboxItem
from channels.credentials import channel_settings
from channels.guard import FloodGuard, RejectedRequest, read_body
from channels.inbound import Inbound, InboundWorker, OutboxCollector, instance_name
from channels.named_input import NamedInput
from channels.outbound import OutboxSender, Progress
from channels.output import PlatformOutput
from channels.parts import WebhookParts
from channels.payloads import PayloadRegistry
from channels.queues import ChannelQueues, report_queues
from channels.replay import replies_already_given
from channels.retry import Retry, RetryPolicy
from channels.text import Replies

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

# The apology for a turn that failed or timed out (domain.yml; replies.yml as a fallback).
APOLOGY_RESPONSE = "utter_system_busy"
# replies.yml's answer to a photo that could not be kept, by MediaRefused.reason.
PHOTO_REPLIES = {"not_image": "photo_not_image", "too_large": "photo_too_large"}
# On shutdown, running turns and sends get this long before they are handed back.
SHUTDOWN_GRACE_SECONDS = 10.0


W = TypeVar("W", bound="WebhookInput")


class WebhookInput(NamedInput):
    """What both webhook input channels hold, how a stored message reaches Rasa, how
    queued replies leave. A subclass declares what follows and implements
    ``make_output``, ``accept`` and ``classify_send_error``."""

    payload_namespace: ClassVar[str]  # of its buttons' payloads in the store
    settings_type: ClassVar[type[Any]]  # TelegramSettings or WhatsAppSettings
    # The credentials.yml keys needed when the environment configures no such channel.
    required_credentials: ClassVar[tuple[str, ...]]
    auth_header: ClassVar[str]  # the header a POST to /webhook is authenticated by
    # Failures of sending (not of Rasa), for the subclass's classification.
    send_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    settings: Any  # the subclass's settings_type
    output: PlatformOutput
    retry: RetryPolicy  # the output's

    def __init__(self, settings: Any, **parts: Unpack[WebhookParts]) -> None:
        self.settings = settings
        self.store = parts["store"]
        self.queues = parts["queues"]
        self.media = parts["media"]
        self.replies = parts.get("replies") or Replies.load()
        self.payloads = PayloadRegistry(self.store, namespace=self.payload_namespace)
        self.flood = FloodGuard()
        self._on_new_message: Callable[[UserMessage], Awaitable[Any]] | None = None
        self.worker: InboundWorker | None = None
        self.sender: OutboxSender | None = None
        self._stop: asyncio.Event | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._app: Sanic | None = None
        self.output = self.make_output(retry=parts.get("retry"), limiter=parts["limiter"])
        self.retry = self.output.retry

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Rasa's entry: configuration from the environment; credentials.yml keys may
        override it."""
        return cls.from_settings(get_settings(), credentials)

    @classmethod
    def from_settings(
        cls: type[W], settings: Settings, credentials: Mapping[str, Any] | None = None
    ) -> W:
        """The channel with its parts from the composition root."""
        from bot import bootstrap

        config = channel_settings(
            getattr(settings, cls.name()),
            credentials,
            settings_type=cls.settings_type,
            required=cls.required_credentials,
            on_missing=cls.raise_missing_credentials_exception,
        )
        parts = bootstrap.for_channels(settings, config)
        return cls(
            config,
            store=parts.store,
            limiter=parts.limiter,
            media=parts.media,
            queues=ChannelQueues.on(parts.stores, instance=instance_name(settings.rasa_port)),
            retry=RetryPolicy(max_delay=settings.outbox_max_delay),
        )

    def make_output(self, *, retry: RetryPolicy | None, limiter: RateLimiter) -> PlatformOutput:
        """Hook: the platform's output, sending with ``retry`` and paced by ``limiter``."""
        raise NotImplementedError

    def get_output_channel(self) -> PlatformOutput:
        return self.output

    async def accept(self, body: bytes, credential: str | None) -> tuple[int, str]:
        """Authenticate, parse and store one delivery; the HTTP status and text to answer.
        ``credential`` is the ``auth_header`` the POST came with."""
        raise NotImplementedError

    # ------------------------------------------------------------------ inbound

    async def store_inbound(self, messages: list[Inbound]) -> tuple[int, str]:
        """Keep a delivery's messages; the HTTP status and text to answer the platform.

        A message the store cannot hold (an over-long sender id) is dropped with a log
        line: authentic or not, a redelivery would fail the same way, and a 5xx would
        have the platform retry it for days.
        """
        incoming = []
        for message in messages:
            item = message.to_incoming()
            try:
                item.check()
            except UnstorableMessage as refused:
                logger.warning(
                    "%s: message from %s dropped: %s",
                    self.name(),
                    message.masked_sender,
                    refused.reason,
                )
                continue
            incoming.append(item)
        if incoming:
            try:
                stored = await self.queues.inbound.accept(incoming)
            except UnstorableMessage as refused:
                logger.warning("%s: delivery dropped: %s", self.name(), refused.reason)
                return 200, "ignored"
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
        if inbound.metadata.get("attachment") is not None:
            kept = await self.keep_photo(inbound)
            if isinstance(kept, str):
                return [{"text": kept}]
            inbound = kept
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

    async def keep_photo(self, inbound: Inbound) -> Inbound | str:
        """Download a photo the platform delivered before its turn (the platform's copy
        expires); the message with the type its bytes proved, or the reply asking the
        resident to send it again (the turn is not run: a form still waits for it)."""
        attachment = inbound.metadata["attachment"]
        ref = attachment.get("id") if isinstance(attachment, Mapping) else None
        try:
            kept = await self.media.download(str(ref))
        except MediaRefused as refused:
            logger.warning(
                "%s: photo from %s not kept: %s", self.name(), inbound.masked_sender, refused
            )
            key = PHOTO_REPLIES.get(refused.reason, "photo_failed")
            return self.replies[key]
        photo = {**attachment, "mime_type": kept.mime_type}
        return replace(inbound, metadata={**inbound.metadata, "attachment": photo})

    async def replies_already_given(self, inbound: Inbound) -> list[dict[str, Any]] | None:
        """The bot's messages after this message in the stored conversation, or None
        when Rasa never finished a turn for it (or there is no conversation store)."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        return await replies_already_given(getattr(agent, "tracker_store", None), inbound)

    # ------------------------------------------------------------------ outbound

    def classify_send_error(self, error: BaseException) -> Retry | None:
        """Hook: retry (and after how long) or give up on an outbox row that failed."""
        raise NotImplementedError

    async def deliver_item(self, item: OutboxItem, progress: Progress) -> None:
        """Send ``item.messages[item.parts_sent:]``, awaiting ``progress(n)`` after each."""
        await self.output.send_item(item, progress)

    # ------------------------------------------------------------------ lifecycle

    def start_workers(self, app: Sanic | None = None) -> None:
        """Start the inbound worker and the outbox sender on the running event loop."""
        queues = self.queues
        self._app = app
        self._stop = asyncio.Event()
        self.sender = OutboxSender(
            queues.outbox,
            channel=self.name(),
            deliver=self.deliver_item,
            classify=self.classify_send_error,
            policy=self.retry,
            poll_interval=queues.poll_interval,
            instance=queues.instance,
        )
        self.worker = InboundWorker(
            queues.inbound,
            channel=self.name(),
            turn=self.run_turn,
            apology=lambda: [{"text": self.apology_text(app)}],
            ready=lambda: agent_ready(app),
            turn_timeout=queues.turn_timeout,
            poll_interval=queues.poll_interval,
            on_completed=self.sender.wake,
            instance=queues.instance,
        )
        self._loops = [
            asyncio.create_task(self.worker.run(self._stop), name=f"{self.name()}:inbound"),
            asyncio.create_task(self.sender.run(self._stop), name=f"{self.name()}:outbox"),
            asyncio.create_task(
                report_queues(queues, self._stop), name=f"{self.name()}:queue-metrics"
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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route ``/``, deliveries at ``POST /webhook``, and the workers
        started and stopped with the server."""
        self._on_new_message = on_new_message
        webhook = self.health_blueprint()

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await read_body(request)
            except RejectedRequest as rejected:
                return response.text(rejected.reason, status=rejected.status)
            status, text = await self.accept(body, request.headers.get(self.auth_header))
            return response.text(text, status=status)

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
        self.queues.close()


def agent_ready(app: Sanic | None) -> bool:
    """Whether Rasa's model is loaded (messages wait in the store until it is)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
    if agent is None:
        return False
    is_ready = getattr(agent, "is_ready", None)
    return bool(is_ready()) if callable(is_ready) else True
