"""The WhatsApp Cloud API's sender: ``GraphClient`` posts message objects (retrying with
the channel's ``RetryPolicy``, paced by the rate limiter it is given) and classifies
the Graph API's refusals for the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.adapters.rate_limit import (
    WHATSAPP_PAIR,
    WHATSAPP_THROUGHPUT,
    Limit,
    RateLimiter,
)
from bot.config import WhatsAppSettings
from channels.errors import RecipientNotOnChannel, RetryBudgetExhausted, WhatsAppApiError
from channels.retry import Retry, RetryPolicy, rate_limited
from channels.whatsapp_parse import _dict, _dicts, _timestamp

logger = logging.getLogger(__name__)

# Graph API error codes worth retrying: throughput, pair rate, spam rate limit,
# and Meta's generic "something went wrong" family.
THROUGHPUT_LIMIT = 130429
PAIR_RATE_LIMIT = 131056
SPAM_RATE_LIMIT = 131048
RETRYABLE_CODES = {THROUGHPUT_LIMIT, PAIR_RATE_LIMIT, SPAM_RATE_LIMIT, 131000, 1, 2}
# Free text is refused more than 24 hours after the resident's last message.
OUTSIDE_WINDOW = 131047

# Refusals no retry can cure: undeliverable (not on WhatsApp, blocked), recipient
# not allowed (test numbers), invalid parameter (our message as built).
PERMANENT_CODES = frozenset({131026, 131030, 131009})


class GraphClient:
    """Sends messages through ``POST {api_base}/{phone_number_id}/messages``.

    The aiohttp session is created on first use, inside the server's event loop,
    never at import or start-up.
    """

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        limiter: RateLimiter,
        retry: RetryPolicy | None = None,
        throughput: Limit = WHATSAPP_THROUGHPUT,
        pair: Limit = WHATSAPP_PAIR,
        pair_rate_delay: float = 6.0,
        timeout: float = 15.0,
    ) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy()
        # Cloud API: 80 messages per second per business number by default, and one
        # every 6 s to one user after a burst. Shared by every instance when the
        # limiter is Redis' (bot.bootstrap.for_channels).
        self.limiter = limiter
        self.throughput = throughput
        self.pair = pair
        self.pair_rate_delay = pair_rate_delay
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def messages_url(self) -> str:
        return f"{self.settings.api_base}/{self.settings.phone_number_id}/messages"

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"Authorization": f"Bearer {self.settings.access_token}"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        await self.limiter.close()

    def classify(self, error: BaseException) -> Retry | None:
        """Within one send: rate limits, Meta's hiccups and the network are retried."""
        if isinstance(error, WhatsAppApiError):
            if error.code == PAIR_RATE_LIMIT:
                after = error.retry_after or self.pair_rate_delay
                return Retry(after=after, recipient_only=True)
            if error.status == 429 or error.status >= 500 or error.code in RETRYABLE_CODES:
                return Retry(after=error.retry_after)
            return None
        if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError)):
            return Retry()
        return None

    def classify_for_outbox(self, error: BaseException) -> Retry | None:
        """Across outbox retries: only what no retry can cure is given up."""
        verdict = self.classify(error) or rate_limited(error)
        if verdict is not None:
            return verdict
        if isinstance(error, RetryBudgetExhausted):
            return Retry(after=error.retry_after)
        if isinstance(error, RecipientNotOnChannel):
            return None
        if isinstance(error, WhatsAppApiError):
            # An expired token or a suspended number is the operator's to fix: keep the
            # messages until then. Refusals of this message or this recipient are final.
            return None if error.code in PERMANENT_CODES or error.status == 400 else Retry()
        logger.error("unexpected error sending on WhatsApp", exc_info=error)
        return Retry()

    async def send(self, message: Mapping[str, Any]) -> str | None:
        """Send one message object; returns Meta's message id (``wamid…``)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **message}
        return await self.retry.call(
            f"WhatsApp send {message.get('type')}",
            lambda: self._post(body),
            self.classify,
        )

    @property
    def media_url(self) -> str:
        return f"{self.settings.api_base}/{self.settings.phone_number_id}/media"

    async def upload_media(self, body: bytes, mime_type: str) -> str:
        """Upload a photo (``POST /{phone_number_id}/media``, multipart); Meta's media id."""
        return await self.retry.call(
            "WhatsApp media upload",
            lambda: self._upload(body, mime_type),
            self.classify,
        )

    async def _upload(self, body: bytes, mime_type: str) -> str:
        await self.limiter.acquire((self.throughput, self.settings.phone_number_id))
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", body, filename="foto", content_type=mime_type)
        async with self._session_now().post(self.media_url, data=form) as answer:
            raw = await answer.text()
            media_id = _json_or_empty(raw).get("id") if answer.status == 200 else None
            if not media_id:
                # A 200 without an id is Meta's hiccup: retried like a 502.
                status = 502 if answer.status == 200 else answer.status
                raise _api_error(status, raw, answer.headers)
            return str(media_id)

    async def _post(self, body: Mapping[str, Any]) -> str | None:
        await self.limiter.acquire(
            (self.throughput, self.settings.phone_number_id),
            (self.pair, str(body.get("to") or "")),
        )
        async with self._session_now().post(self.messages_url, json=body) as answer:
            raw = await answer.text()
            if answer.status == 200:
                data = _json_or_empty(raw)
                ids = [m.get("id") for m in _dicts(data.get("messages"))]
                return str(ids[0]) if ids and ids[0] else None
            raise _api_error(answer.status, raw, answer.headers)


def _json_or_empty(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _api_error(status: int, raw: str, headers: Mapping[str, str]) -> WhatsAppApiError:
    error = _dict(_json_or_empty(raw).get("error"))
    retry_after = _timestamp(headers.get("Retry-After"))
    return WhatsAppApiError(
        status,
        error.get("code") if isinstance(error.get("code"), int) else None,
        str(error.get("message") or raw[:200] or "no error body"),
        subcode=error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None,
        retry_after=retry_after,
        fbtrace_id=error.get("fbtrace_id"),
    )
