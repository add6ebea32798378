"""WhatsApp Cloud API channel: webhook verification, signed deliveries, native replies.

Split like Rasa's facebook.py into a parser (``channels.whatsapp_parse``), a
sender (``channels.graph_client``: ``GraphClient``; ``channels.whatsapp_output``:
``WhatsAppOutput``) and the
input channel here, without its faults: the signature is always HMAC-SHA256
compared in constant time, a failed check answers 401/403, and nothing is kept
on the channel instance but configuration and injected helpers. A delivery is
stored before its 200 and answered from the store (``channels.webhook``).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.rate_limit import RateLimiter
from bot.config import WhatsAppSettings
from channels.errors import RetryBudgetExhausted, WhatsAppApiError
from channels.graph_client import GraphClient
from channels.guard import RejectedRequest, parse_json
from channels.parts import WebhookParts
from channels.retry import Retry, RetryPolicy
from channels.webhook import WebhookInput
from channels.whatsapp_output import BUTTON_TITLE_MAX, WhatsAppOutput
from channels.whatsapp_parse import (
    SIGNATURE_HEADER,
    parse_message,
    parse_webhook,
    sign,
    verify_signature,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)


SEND_ERRORS: tuple[type[BaseException], ...] = (
    WhatsAppApiError,
    RetryBudgetExhausted,
    aiohttp.ClientError,
    asyncio.TimeoutError,
)


class WhatsAppInput(WebhookInput):
    """``/webhooks/whatsapp/webhook``: GET verification and signed POST deliveries."""

    channel_name = "whatsapp"
    payload_namespace = "wa"
    settings_type = WhatsAppSettings
    auth_header = SIGNATURE_HEADER
    required_credentials = ("verify_token", "app_secret", "access_token", "phone_number_id")
    send_errors = SEND_ERRORS
    settings: WhatsAppSettings
    output: WhatsAppOutput

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        client: GraphClient | None = None,
        **parts: Unpack[WebhookParts],
    ) -> None:
        if client is None:
            client = GraphClient(settings, retry=parts.get("retry"), limiter=parts["limiter"])
        else:
            # A client given with its own pace (tests): the channel's is the client's.
            parts["limiter"] = client.limiter
        self.client = client
        super().__init__(settings, **parts)

    def make_output(self, *, retry: RetryPolicy | None, limiter: RateLimiter) -> WhatsAppOutput:
        # The client was built with retry and limiter (or given with its own).
        return WhatsAppOutput(
            self.client,
            replies=self.replies,
            payloads=self.payloads,
            media=self.media,
            window=lambda identity: self.queues.outbox.window_open(identity),
        )

    def verify_subscription(self, args: Mapping[str, str]) -> str | None:
        """``hub.challenge`` to echo when Meta's verification request is genuine."""
        token = args.get("hub.verify_token") or ""
        if args.get("hub.mode") != "subscribe":
            return None
        if not hmac.compare_digest(token.encode(), self.settings.verify_token.encode()):
            return None
        return args.get("hub.challenge") or ""

    def classify_send_error(self, error: BaseException) -> Retry | None:
        return self.client.classify_for_outbox(error)

    async def accept(self, body: bytes, signature: str | None) -> tuple[int, str]:
        """Authenticate, parse and store one delivery; the HTTP status and text to answer."""
        if not signature:
            return 401, "missing signature"
        if not verify_signature(self.settings.app_secret, body, signature):
            logger.warning("WhatsApp webhook with a wrong signature rejected")
            return 403, "invalid signature"
        try:
            payload = parse_json(body)
        except RejectedRequest as rejected:
            return rejected.status, rejected.reason
        if payload.get("object") != "whatsapp_business_account":
            return 200, "ignored"
        try:
            messages = parse_webhook(payload, phone_number_id=self.settings.phone_number_id)
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError, OSError):
            # Authentic but unreadable (a Graph API change?): redelivery would not help.
            logger.exception("WhatsApp delivery could not be parsed")
            return 200, "ignored"
        return await self.store_inbound(list(self.flood.screen(messages)))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            args = {key: request.args.get(key) for key in request.args}
            challenge = self.verify_subscription(args)
            if challenge is None:
                logger.warning("WhatsApp webhook verification refused")
                return response.text("forbidden", status=403)
            return response.text(challenge)

        return webhook

    async def aclose(self) -> None:
        await self.client.close()
        await super().aclose()


def describe_setup(settings: WhatsAppSettings, public_url: str | None) -> Iterable[str]:
    """What an operator sets in Meta's dashboard (used by ``python -m channels.register``)."""
    url = (public_url or "https://<your-host>").rstrip("/")
    if not url.endswith("/webhooks/whatsapp/webhook"):
        url += "/webhooks/whatsapp/webhook"
    yield "In Meta for Developers → your app → WhatsApp → Configuration → Webhook:"
    yield f"  Callback URL:  {url}"
    yield "  Verify token:  the value of WHATSAPP_VERIFY_TOKEN"
    yield "  Webhook fields: subscribe to 'messages'"
    yield "App secret (App settings → Basic) must equal WHATSAPP_APP_SECRET;"
    yield f"phone number id in use: {settings.phone_number_id}; Graph API: {settings.api_base}"
    yield (
        f"Template for messages outside the 24-hour window: {settings.notification_template}"
        f" ({settings.template_language})"
    )


__all__ = [
    "BUTTON_TITLE_MAX",
    "GraphClient",
    "WhatsAppApiError",
    "WhatsAppInput",
    "WhatsAppOutput",
    "parse_message",
    "parse_webhook",
    "sign",
    "verify_signature",
]
