"""What the WhatsApp and Telegram channels share.

De-duplication, per-sender ordering and background processing (``Dispatcher``),
splitting long text, shortening button titles, rate limiting (``RateLimiter``),
the retry policy for outbound calls, long button payloads mapped to short ids
(``PayloadRegistry``), the channel's own Indonesian replies (``Replies``) and
the base of both input channels (``WebhookInput``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar, NoReturn, TypeVar

import yaml
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.kv import KeyValueStore
from bot.config import Settings, TelegramSettings, WhatsAppSettings, get_settings
from bot.domain.identity import ChatIdentity
from channels.errors import RetryBudgetExhausted

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Both platforms cap a text message at 4,096 characters.
MAX_TEXT_LENGTH = 4096

REPLIES_FILE = Path(__file__).with_name("replies.yml")


# --------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class Replies:
    """Texts the channels send by themselves (``channels/replies.yml``)."""

    unsupported: Mapping[str, str]
    texts: Mapping[str, str]

    REQUIRED = (
        "processing_failed",
        "button_expired",
        "choose_prompt",
        "list_button",
        "numbered_hint",
        "location_button",
        "contact_button",
        "location_prompt",
        "contact_prompt",
    )

    @classmethod
    def load(cls, path: Path | None = None) -> Replies:
        data = yaml.safe_load((path or REPLIES_FILE).read_text(encoding="utf-8")) or {}
        unsupported = data.get("unsupported") or {}
        if "default" not in unsupported:
            raise ValueError("replies.yml: unsupported.default is required")
        missing = [key for key in cls.REQUIRED if not data.get(key)]
        if missing:
            raise ValueError(f"replies.yml: missing {', '.join(missing)}")
        texts = {k: str(v).strip() for k, v in data.items() if k != "unsupported"}
        return cls(
            unsupported={str(k): str(v).strip() for k, v in unsupported.items()},
            texts=texts,
        )

    def for_unsupported(self, kind: str) -> str:
        return self.unsupported.get(kind) or self.unsupported["default"]

    def __getitem__(self, key: str) -> str:
        return self.texts[key]


# --------------------------------------------------------------------------- inbound


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

    @property
    def masked_sender(self) -> str:
        return ChatIdentity.from_sender_id(self.sender_id).masked()


async def deliver(
    inbound: Inbound,
    *,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    output: OutputChannel,
    input_channel: str,
    replies: Replies,
    payloads: PayloadRegistry,
    send_errors: tuple[type[BaseException], ...],
) -> None:
    """Hand one parsed message to Rasa, or answer it from replies.yml.

    A failure of Rasa (not of sending) gets the resident a short apology; the
    error itself goes to the log. Send failures are re-raised for the
    dispatcher to log: apologising through a dead API would fail again.
    """
    if inbound.unsupported is not None:
        logger.info(
            "%s sent a %s; answered from replies.yml", inbound.masked_sender, inbound.unsupported
        )
        await output.send_text_message(
            inbound.sender_id, replies.for_unsupported(inbound.unsupported)
        )
        return
    text = inbound.text or ""
    if inbound.metadata.get("button"):
        payload = await payloads.decode(text)
        if payload is None:
            await output.send_text_message(inbound.sender_id, replies["button_expired"])
            return
        text = payload
    message = UserMessage(
        text,
        output,
        inbound.sender_id,
        input_channel=input_channel,
        message_id=inbound.message_id,
        metadata={"tabik": inbound.metadata},
    )
    try:
        await on_new_message(message)
    except send_errors:
        raise
    except Exception:
        logger.exception("Rasa failed on %s from %s", inbound.dedupe_key, inbound.masked_sender)
        await output.send_text_message(inbound.sender_id, replies["processing_failed"])


def intent_text(intent: str, entities: Mapping[str, Any]) -> str:
    """A message Rasa's intent syntax understands: ``/intent{"entity": value}``."""
    return f"/{intent}{json.dumps(dict(entities), ensure_ascii=False)}"


def phone_to_national(raw: str) -> str:
    """``+62 812-3456`` / ``628123456`` → ``08123456``; other countries keep ``+``."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("62"):
        return "0" + digits[2:]
    if digits.startswith("0"):
        return digits
    return f"+{digits}" if digits else ""


# --------------------------------------------------------------------------- text


def utf16_len(text: str) -> int:
    """Length as both platforms count it (UTF-16 code units: an emoji may count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


_SENTENCE_END = re.compile(r"[.!?…](?:[\"')\]]*)\s+")


def _cut_position(window: str) -> int:
    """Where to end a chunk inside ``window``: paragraph, line, sentence, then word.

    A boundary in the first half is only taken when nothing better exists, so a
    chunk is never needlessly tiny.
    """
    half = len(window) // 2
    candidates: list[int] = []
    for separator in ("\n\n", "\n"):
        pos = window.rfind(separator)
        if pos > 0:
            candidates.append(pos + len(separator))
            if pos >= half:
                return pos + len(separator)
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if sentence_ends:
        candidates.append(sentence_ends[-1])
        if sentence_ends[-1] >= half:
            return sentence_ends[-1]
    pos = window.rfind(" ")
    if pos > 0:
        candidates.append(pos + 1)
        if pos >= half:
            return pos + 1
    return max(candidates) if candidates else len(window)


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Split text into chunks of at most ``limit`` UTF-16 units at natural boundaries."""
    if limit < 1:
        raise ValueError("limit must be positive")
    rest = text.strip()
    chunks: list[str] = []
    while rest:
        if utf16_len(rest) <= limit:
            chunks.append(rest)
            break
        window = rest[: _fit(rest, limit)]
        cut = _cut_position(window)
        chunk = rest[:cut].strip()
        if chunk:
            chunks.append(chunk)
        rest = rest[cut:].strip()
    return chunks


def shorten(text: str, limit: int) -> str:
    """Fit a title into ``limit`` characters, cutting at a word boundary with "…"."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    space = room.rfind(" ")
    if space >= limit // 2:
        room = room[:space]
    return room.rstrip(" ,.;:-–") + "…"


# --------------------------------------------------------------------------- background work


class BackgroundTasks:
    """Tasks started by webhooks, kept referenced until done and drained on shutdown.

    asyncio only keeps weak references to tasks, so a fire-and-forget task can be
    garbage-collected mid-flight; holding them in a set prevents that.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.error("background task %s failed", task.get_name(), exc_info=error)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for running work (server stopping); cancel what is still running after timeout."""
        if not self._tasks:
            return
        pending = set(self._tasks)
        logger.info("waiting for %d message(s) still being processed", len(pending))
        _, still_running = await asyncio.wait(pending, timeout=timeout)
        for task in still_running:
            task.cancel()
        if still_running:
            logger.warning("cancelled %d message(s) still running at shutdown", len(still_running))
            await asyncio.gather(*still_running, return_exceptions=True)


class SenderTurns:
    """One asyncio.Lock per sender so a sender's messages are handled one at a time, in order.

    asyncio.Lock wakes waiters first-in first-out, and tasks start in creation
    order, so messages run in the order the webhook accepted them. A lock lives
    only while its sender has work queued, which bounds the dict by the number of
    messages in flight (itself bounded by ``Dispatcher.max_pending``).
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def turn(self, sender_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(sender_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[sender_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[sender_id]
            if users <= 1:
                del self._locks[sender_id]
            else:
                self._locks[sender_id] = (lock, users - 1)


class Dispatcher:
    """Accepts parsed messages from a webhook and processes them in the background.

    Each message: wait for the sender's turn, skip it if its platform id was seen
    before (``SET NX`` in the store, so it also holds across instances), then run
    the work with a timeout. Failures are logged, never raised to the webhook.
    """

    def __init__(
        self,
        store: KeyValueStore,
        *,
        namespace: str,
        dedupe_ttl: float = 2 * 24 * 3600,
        processing_timeout: float = 120.0,
        max_pending: int = 2000,
    ) -> None:
        self.store = store
        self.namespace = namespace
        self.dedupe_ttl = dedupe_ttl
        self.processing_timeout = processing_timeout
        self.max_pending = max_pending
        self.tasks = BackgroundTasks()
        self.senders = SenderTurns()

    @property
    def has_capacity(self) -> bool:
        return len(self.tasks) < self.max_pending

    def submit(self, inbound: Inbound, work: Callable[[Inbound], Awaitable[None]]) -> None:
        self.tasks.spawn(self._run(inbound, work), name=f"{self.namespace}:{inbound.dedupe_key}")

    async def first_time(self, dedupe_key: str) -> bool:
        """True when this platform id has not been processed before (and marks it)."""
        try:
            return await self.store.set_nx(
                f"{self.namespace}:seen:{dedupe_key}", "1", self.dedupe_ttl
            )
        except Exception:
            # Answering twice is better than never answering while the store is down.
            logger.exception("de-duplication store failed; processing %s anyway", dedupe_key)
            return True

    async def _run(self, inbound: Inbound, work: Callable[[Inbound], Awaitable[None]]) -> None:
        async with self.senders.turn(inbound.sender_id):
            if not await self.first_time(inbound.dedupe_key):
                logger.info(
                    "duplicate %s from %s skipped", inbound.dedupe_key, inbound.masked_sender
                )
                return
            try:
                await asyncio.wait_for(work(inbound), timeout=self.processing_timeout)
            except asyncio.TimeoutError:
                logger.error(
                    "processing %s from %s timed out after %.0fs",
                    inbound.dedupe_key,
                    inbound.masked_sender,
                    self.processing_timeout,
                )
            except Exception:
                logger.exception(
                    "processing %s from %s failed", inbound.dedupe_key, inbound.masked_sender
                )

    async def drain(self, timeout: float = 10.0) -> None:
        await self.tasks.drain(timeout)


# --------------------------------------------------------------------------- rate limiting


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Token buckets: ``rate`` sends per second, bursts of up to ``burst``, per key.

    A caller reserves a token and sleeps until it is due, so waiting callers are
    served first-come first-served without polling. Idle buckets are forgotten
    (LRU bound), which is harmless: a forgotten bucket was full anyway.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        max_keys: int = 10_000,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._clock = clock
        self._sleep = sleep
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def reserve(self, key: str = "") -> float:
        """Take a token now; returns how long the caller must wait before using it."""
        now = self._clock()
        tokens, stamp = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate) - 1.0
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return 0.0 if tokens >= 0 else -tokens / self.rate

    async def acquire(self, key: str = "") -> None:
        delay = self.reserve(key)
        if delay > 0:
            await self._sleep(delay)


# --------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """How outbound calls are retried: exponential backoff with jitter, or the server's hint.

    ``max_retry_after`` caps how long a server may make us wait; a longer hint
    gives up (the conversation lock is held meanwhile).
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0
    sleep: Sleep = asyncio.sleep

    def backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * (2**attempt))
        return delay * (0.75 + random.random() / 2)  # jitter so instances do not retry in step


@dataclass(frozen=True)
class Retry:
    """A classifier's verdict: retry, after ``after`` seconds if the server said so."""

    after: float | None = None


async def call_with_retries(
    operation: str,
    call: Callable[[], Awaitable[T]],
    classify: Callable[[BaseException], Retry | None],
    policy: RetryPolicy,
) -> T:
    """Run ``call``; on a retryable error wait (hint or backoff) and try again."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as error:
            verdict = classify(error)
            attempt += 1
            if verdict is None or attempt >= policy.attempts:
                raise
            if verdict.after is not None:
                if verdict.after > policy.max_retry_after:
                    raise RetryBudgetExhausted(
                        operation, verdict.after, policy.max_retry_after
                    ) from error
                delay = verdict.after
            else:
                delay = policy.backoff(attempt - 1)
            logger.warning(
                "%s failed (%s), retry %d/%d in %.2fs",
                operation,
                error,
                attempt,
                policy.attempts - 1,
                delay,
            )
            await policy.sleep(delay)


# --------------------------------------------------------------------------- button payloads


class PayloadRegistry:
    """Maps button payloads too long for a platform (Telegram: 64 bytes) to short ids.

    The short id (``~`` + random token) goes on the button; the payload is kept in
    the store with a TTL and looked up when the button is tapped.
    """

    MARK = "~"

    def __init__(self, store: KeyValueStore, *, namespace: str, ttl: float = 14 * 24 * 3600):
        self.store = store
        self.namespace = namespace
        self.ttl = ttl

    def _key(self, token: str) -> str:
        return f"{self.namespace}:payload:{token}"

    async def encode(self, payload: str, max_bytes: int) -> str:
        if len(payload.encode("utf-8")) <= max_bytes and not payload.startswith(self.MARK):
            return payload
        token = secrets.token_urlsafe(9)
        await self.store.set(self._key(token), payload, self.ttl)
        return self.MARK + token

    async def decode(self, data: str) -> str | None:
        """The payload behind a button's data; None when a mapped id has expired."""
        if not data.startswith(self.MARK):
            return data
        return await self.store.get(self._key(data[len(self.MARK) :]))


def button_payload(button: Mapping[str, Any]) -> str:
    """A Rasa button's payload (its title when it has none)."""
    return str(button.get("payload") or button.get("title") or "")


_NUMBERED_LINE = re.compile(r"^\s*\d{1,2}[.)]\s+\S", re.MULTILINE)


def numbered_menu(text: str, buttons: list[dict[str, Any]], hint: str) -> str:
    """Buttons as numbered lines, unless the text already numbers its options."""
    if len(_NUMBERED_LINE.findall(text)) >= len(buttons):
        return text
    lines = [f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines), hint) if part)


# --------------------------------------------------------------------------- input channels

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


class WebhookInput(InputChannel):
    """What both webhook input channels hold and how a parsed message reaches Rasa.

    The store backs the dispatcher (de-duplication) and the button payloads, both
    under the channel's ``namespace``; a subclass builds its ``output`` from them.
    """

    # Failures of sending (not of Rasa): re-raised for the dispatcher to log.
    send_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    output: OutputChannel

    def __init__(
        self,
        store: KeyValueStore,
        *,
        namespace: str,
        replies: Replies | None = None,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self.store = store
        self.replies = replies or Replies.load()
        self.dispatcher = dispatcher or Dispatcher(store, namespace=namespace)
        self.payloads = PayloadRegistry(store, namespace=namespace)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Configuration from the environment; keys in credentials.yml may override it."""
        return cls.from_settings(get_settings(), credentials)

    @classmethod
    def from_settings(
        cls, settings: Settings, credentials: Mapping[str, Any] | None = None
    ) -> WebhookInput:
        raise NotImplementedError

    def webhook_blueprint(self) -> Blueprint:
        """The health route ``/`` and, on shutdown, draining the queue and closing connections.

        A subclass adds its ``/webhook`` routes.
        """
        webhook = Blueprint(f"tabik_{self.name()}_webhook", type(self).__module__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.listener("before_server_stop")
        async def drain(*_: Any) -> None:
            await self.dispatcher.drain()

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.aclose()

        return webhook

    async def aclose(self) -> None:
        """Close what the channel opened; a subclass closes its API client, then calls this."""
        await self.store.close()

    async def deliver(
        self, inbound: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        await deliver(
            inbound,
            on_new_message=on_new_message,
            output=self.output,
            input_channel=self.name(),
            replies=self.replies,
            payloads=self.payloads,
            send_errors=self.send_errors,
        )
