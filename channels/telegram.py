"""Telegram channel on python-telegram-bot 22: secret-token webhook, native keyboards.

Unlike Rasa's own Telegram channel, nothing is called at start-up (no getMe, no
setWebhook: ``python -m channels.register telegram`` does that), every update
is authenticated with ``X-Telegram-Bot-Api-Secret-Token`` and processing runs in
the background after the update is stored and acknowledged (``channels.webhook``).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import hmac
import logging
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.media import StoredPhoto
from bot.adapters.rate_limit import (
    TELEGRAM_OVERALL,
    TELEGRAM_PER_CHAT,
    Limit,
    RateLimiter,
)
from bot.config import TelegramSettings
from bot.services.outbox import OutboxItem
from channels.errors import RecipientNotOnChannel, RetryBudgetExhausted
from channels.guard import RejectedRequest, parse_json
from channels.inbound import Inbound
from channels.outbound import Progress
from channels.output import PlatformOutput, Rendering, without_template_params
from channels.parts import WebhookParts
from channels.retry import Retry, RetryPolicy, call_with_retries, rate_limited
from channels.telegram_parse import parse_message, parse_update
from channels.text import (
    button_payload,
    shorten,
    split_text,
)
from channels.webhook import WebhookInput

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

T = TypeVar("T")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
CALLBACK_DATA_MAX_BYTES = 64
BUTTON_TEXT_MAX = 64
# What setWebhook subscribes to; everything else is never delivered.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class BotApi:
    """The ptb ``Bot`` pointed at ``{api_base}/bot{token}/``, created on first use.

    ``Bot.initialize()`` is never called: it calls getMe, and a start-up must not
    need the network. Sending works without it.
    """

    def __init__(self, settings: TelegramSettings, *, pool_size: int = 32) -> None:
        self.settings = settings
        self.pool_size = pool_size
        self._bot: Bot | None = None
        self._requests: list[HTTPXRequest] = []

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            self._requests = [
                HTTPXRequest(connection_pool_size=self.pool_size),
                HTTPXRequest(connection_pool_size=1),
            ]
            self._bot = Bot(
                self.settings.bot_token,
                base_url=f"{self.settings.api_base}/bot",
                base_file_url=f"{self.settings.api_base}/file/bot",
                request=self._requests[0],
                get_updates_request=self._requests[1],
            )
        return self._bot

    async def close(self) -> None:
        # Bot.shutdown() skips requests it did not initialise itself; close ours directly.
        requests, self._requests, self._bot = self._requests, [], None
        await asyncio.gather(*(request.shutdown() for request in requests))


def retry_after_seconds(error: RetryAfter) -> float:
    # ptb 22 returns int or timedelta depending on PTB_TIMEDELTA and warns about the
    # int form; both are handled here, so the warning would only be noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def classify(error: BaseException) -> Retry | None:
    """Flood control waits as told; network trouble and 5xx back off; the rest is final."""
    if isinstance(error, RetryAfter):
        return Retry(after=retry_after_seconds(error))
    if isinstance(error, BadRequest):  # a subclass of NetworkError, but never transient
        return None
    if isinstance(error, NetworkError):
        return Retry()
    return None


def classify_for_outbox(error: BaseException) -> Retry | None:
    """Across outbox retries: blocked bots and refused messages are final, the rest waits."""
    verdict = classify(error) or rate_limited(error)
    if verdict is not None:
        return verdict
    if isinstance(error, RetryBudgetExhausted):
        return Retry(after=error.retry_after)
    if isinstance(error, (RecipientNotOnChannel, BadRequest, Forbidden)):
        return None
    if not isinstance(error, TelegramError):
        logger.error("unexpected error sending on Telegram", exc_info=error)
    return Retry()


# --------------------------------------------------------------------------- sending


class TelegramOutput(PlatformOutput):
    """Renders Rasa responses as Telegram messages with inline or reply keyboards."""

    channel_name = "telegram"
    platform = "Telegram"
    # Telegram: about one message per second in a chat (short bursts tolerated) and
    # about 30 per second overall, counted per bot: shared by every instance when the
    # limiter is Redis' (bot.bootstrap.for_channels).
    per_chat: Limit = TELEGRAM_PER_CHAT
    overall: Limit = TELEGRAM_OVERALL

    def __init__(
        self,
        api: BotApi,
        *,
        limiter: RateLimiter,
        retry: RetryPolicy | None = None,
        **rendering: Unpack[Rendering],
    ) -> None:
        super().__init__(**rendering)
        self.api = api
        self.retry = retry or RetryPolicy()
        self.limiter = limiter

    def chat_id(self, recipient_id: str) -> int:
        try:
            return int(self.account(recipient_id))
        except ValueError as error:
            raise RecipientNotOnChannel("telegram", recipient_id) from error

    async def _call(
        self, operation: str, chat_id: int | None, call: Callable[[], Awaitable[T]]
    ) -> T:
        async def limited() -> T:
            if chat_id is not None:
                await self.limiter.acquire((self.per_chat, str(chat_id)), (self.overall, ""))
            else:
                await self.limiter.acquire((self.overall, ""))
            return await call()

        return await call_with_retries(f"Telegram {operation}", limited, classify, self.retry)

    async def send_message(self, chat_id: int, text: str, reply_markup: Any = None) -> None:
        bot = self.api.bot
        await self._call(
            "sendMessage",
            chat_id,
            lambda: bot.send_message(
                chat_id=chat_id,
                text=text,
                reply_markup=reply_markup,
            ),
        )

    async def answer_callback(self, callback_query_id: str) -> None:
        bot = self.api.bot
        await self._call(
            "answerCallbackQuery", None, lambda: bot.answer_callback_query(callback_query_id)
        )

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = dict(message.get("custom") or {})
        requests = [
            key for key in ("request_location", "request_contact") if custom.pop(key, None) is True
        ]
        text = str(message.get("text") or "")
        buttons = list(message.get("buttons") or message.get("quick_replies") or [])
        if buttons:
            await self.send_text_with_buttons(recipient_id, text, buttons)
        if requests:
            prompt = text if text and not buttons else self._request_prompt(requests)
            await self.send_text_message(
                recipient_id, prompt, reply_markup=self.request_keyboard(requests)
            )
        elif text and not buttons:
            await self.send_text_message(recipient_id, text)
        await self.send_extras(recipient_id, message, custom)

    def _request_prompt(self, requests: list[str]) -> str:
        return self.replies[
            "location_prompt" if "request_location" in requests else "contact_prompt"
        ]

    def request_keyboard(self, requests: list[str]) -> ReplyKeyboardMarkup:
        """A one-time reply keyboard asking for the location and/or the phone number."""
        row = []
        if "request_location" in requests:
            row.append(KeyboardButton(self.replies["location_button"], request_location=True))
        if "request_contact" in requests:
            row.append(KeyboardButton(self.replies["contact_button"], request_contact=True))
        return ReplyKeyboardMarkup([row], resize_keyboard=True, one_time_keyboard=True)

    async def send_text_message(
        self, recipient_id: str, text: str, *, reply_markup: Any = None, **kwargs: Any
    ) -> None:
        chat_id = self.chat_id(recipient_id)
        chunks = split_text(text) or [self.replies["choose_prompt"]]
        for index, chunk in enumerate(chunks):
            # The keyboard belongs under the last part, where the resident's eyes end.
            markup = reply_markup if index == len(chunks) - 1 else None
            await self.send_message(chat_id, chunk, reply_markup=markup)

    async def inline_keyboard(self, buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup:
        rows = []
        for button in buttons:
            label = shorten(str(button.get("title") or button_payload(button)), BUTTON_TEXT_MAX)
            if button.get("url") and not button.get("payload"):
                rows.append([InlineKeyboardButton(label, url=str(button["url"]))])
                continue
            data = await self.payloads.encode(button_payload(button), CALLBACK_DATA_MAX_BYTES)
            rows.append([InlineKeyboardButton(label, callback_data=data)])
        return InlineKeyboardMarkup(rows)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(
            recipient_id,
            text or self.replies["choose_prompt"],
            reply_markup=await self.inline_keyboard(buttons),
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        chat_id, bot = self.chat_id(recipient_id), self.api.bot
        await self._call("sendPhoto", chat_id, lambda: bot.send_photo(chat_id=chat_id, photo=image))

    async def send_photo_file(self, recipient_id: str, photo: StoredPhoto) -> None:
        chat_id, bot = self.chat_id(recipient_id), self.api.bot
        body = await asyncio.to_thread(Path.read_bytes, photo.path)
        await self._call("sendPhoto", chat_id, lambda: bot.send_photo(chat_id=chat_id, photo=body))

    async def send_notification(
        self, recipient_id: str, text: str, template_params: list[str] | None = None
    ) -> None:
        """A message Tabik starts; Telegram has no service window, so always plain text."""
        await self.send_text_message(recipient_id, text)

    async def send_item(self, item: OutboxItem, progress: Progress) -> None:
        """One outbox row, message by message from where an earlier try stopped."""
        for offset, queued in enumerate(item.messages[item.parts_sent :], item.parts_sent + 1):
            message, _ = without_template_params(queued)
            await self.send_response(item.recipient.sender_id, message)
            await progress(offset)


# --------------------------------------------------------------------------- input


SEND_ERRORS: tuple[type[BaseException], ...] = (TelegramError, RetryBudgetExhausted)


class TelegramInput(WebhookInput):
    """``/webhooks/telegram/webhook``: updates authenticated by the secret token."""

    channel_name = "telegram"
    payload_namespace = "tg"
    settings_type = TelegramSettings
    auth_header = SECRET_HEADER
    required_credentials = ("bot_token",)
    send_errors = SEND_ERRORS
    settings: TelegramSettings
    output: TelegramOutput

    def __init__(self, settings: TelegramSettings, **parts: Unpack[WebhookParts]) -> None:
        self.api = BotApi(settings)
        super().__init__(settings, **parts)
        if not settings.secret_token:
            logger.error(
                "TELEGRAM_SECRET_TOKEN is not set: every Telegram delivery will be refused, "
                "since forged ones could not be told apart"
            )

    def make_output(self, *, retry: RetryPolicy | None, limiter: RateLimiter) -> TelegramOutput:
        return TelegramOutput(
            self.api,
            replies=self.replies,
            payloads=self.payloads,
            media=self.media,
            retry=retry,
            limiter=limiter,
        )

    def authenticate(self, header: str | None) -> int | None:
        """None when the request may go on, else the HTTP status to refuse it with."""
        secret = self.settings.secret_token
        if not secret:
            return 403  # fail closed: without a secret nothing is authentic
        if not header:
            return 401
        if not hmac.compare_digest(header.encode("utf-8"), secret.encode("utf-8")):
            logger.warning("Telegram webhook with a wrong secret token rejected")
            return 403
        return None

    async def before_turn(self, inbound: Inbound) -> None:
        if inbound.callback_query_id:
            try:
                # Answered first so the resident's button stops spinning.
                await self.output.answer_callback(inbound.callback_query_id)
            except (TelegramError, RetryBudgetExhausted):
                logger.exception("answerCallbackQuery failed for %s", inbound.masked_sender)

    def classify_send_error(self, error: BaseException) -> Retry | None:
        return classify_for_outbox(error)

    async def accept(self, body: bytes, secret_header: str | None) -> tuple[int, str]:
        """Authenticate, parse and store one update; the HTTP status and text to answer."""
        refused = self.authenticate(secret_header)
        if refused is not None:
            return refused, "unauthorised" if refused == 401 else "forbidden"
        try:
            data = parse_json(body)
        except RejectedRequest as rejected:
            return rejected.status, rejected.reason
        if not isinstance(data.get("update_id"), int) or isinstance(data["update_id"], bool):
            return 400, "not an update"
        try:
            inbound = parse_update(data, self.api.bot)
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError, OSError):
            # Authentic but absurd (a date in year 3e12, a string for a number): nothing
            # to answer, and a 5xx would only make Telegram redeliver it.
            logger.exception("Telegram update %s could not be parsed", data.get("update_id"))
            return 400, "unreadable update"
        admitted = [inbound] if inbound is not None else []
        return await self.store_inbound(list(self.flood.screen(admitted)))

    async def aclose(self) -> None:
        await self.api.close()
        await self.output.limiter.close()
        await super().aclose()


__all__ = [
    "ALLOWED_UPDATES",
    "BotApi",
    "TelegramInput",
    "TelegramOutput",
    "parse_message",
    "parse_update",
]
