"""WhatsApp Cloud API channel: webhook verification, signed deliveries, native replies.

Split like Rasa's facebook.py into a parser (``parse_webhook``), a sender
(``GraphClient`` + ``WhatsAppOutput``) and the input channel (``WhatsAppInput``),
without its faults: the signature is always HMAC-SHA256 compared in constant
time, a failed check answers 401/403, and nothing is kept on the channel
instance but configuration and injected helpers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.kv import KeyValueStore, create_store
from bot.config import Settings, WhatsAppSettings
from bot.domain.identity import ChatIdentity
from channels.common import (
    Dispatcher,
    Inbound,
    PayloadRegistry,
    RateLimiter,
    Replies,
    Retry,
    RetryPolicy,
    WebhookInput,
    button_payload,
    call_with_retries,
    channel_settings,
    intent_text,
    numbered_menu,
    phone_to_national,
    shorten,
    split_text,
    utf16_len,
)
from channels.errors import RecipientNotOnChannel, RetryBudgetExhausted, WhatsAppApiError
from channels.guard import FloodGuard, RejectedRequest, parse_json, read_body

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="

# Limits of interactive messages (Cloud API reference, "Interactive object").
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
BODY_MAX = 1024

# Graph API error codes worth retrying: throughput, pair rate, spam rate limit,
# and Meta's generic "something went wrong" family.
THROUGHPUT_LIMIT = 130429
PAIR_RATE_LIMIT = 131056
SPAM_RATE_LIMIT = 131048
RETRYABLE_CODES = {THROUGHPUT_LIMIT, PAIR_RATE_LIMIT, SPAM_RATE_LIMIT, 131000, 1, 2}
# Free text is refused more than 24 hours after the resident's last message.
OUTSIDE_WINDOW = 131047

SERVICE_WINDOW_SECONDS = 24 * 3600
# Start template messages a little before Meta closes the window, not after.
WINDOW_MARGIN_SECONDS = 300


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is ``sha256=<hex HMAC-SHA256 of body>`` with the app secret.

    The algorithm is fixed: a header naming another hash is simply wrong.
    """
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    given = header[len(SIGNATURE_PREFIX) :].strip().lower()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta would send for ``body`` (tests, tools)."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


# --------------------------------------------------------------------------- parsing


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _timestamp(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_message(message: Mapping[str, Any]) -> Inbound | None:
    """One entry of ``value.messages[]``; None for what needs no answer at all."""
    wa_id, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not wa_id or not message_id:
        logger.warning("WhatsApp message without sender or id ignored (type %s)", kind)
        return None
    base: dict[str, Any] = {
        "sender_id": ChatIdentity(channel="whatsapp", account=str(wa_id)).sender_id,
        "dedupe_key": f"wa:{message_id}",
        "message_id": str(message_id),
        "sent_at": _timestamp(message.get("timestamp")),
    }
    metadata: dict[str, Any] = {"channel": "whatsapp", "message_id": str(message_id)}

    if kind == "text":
        body = str(_dict(message.get("text")).get("body") or "").strip()
        return Inbound(text=body, metadata=metadata, **base) if body else None

    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get(str(interactive.get("type"))))
        if reply.get("id"):
            return Inbound(text=str(reply["id"]), metadata={**metadata, "button": True}, **base)
        return Inbound(unsupported="default", metadata=metadata, **base)

    if kind == "button":  # quick-reply button of a template message
        button = _dict(message.get("button"))
        payload = button.get("payload") or button.get("text")
        if payload:
            return Inbound(text=str(payload), metadata={**metadata, "button": True}, **base)
        return Inbound(unsupported="default", metadata=metadata, **base)

    if kind == "location":
        location = _dict(message.get("location"))
        try:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            return Inbound(unsupported="default", metadata=metadata, **base)
        metadata["location"] = {
            "latitude": latitude,
            "longitude": longitude,
            "name": location.get("name"),
            "address": location.get("address"),
        }
        text = intent_text("share_location", {"latitude": latitude, "longitude": longitude})
        return Inbound(text=text, metadata=metadata, **base)

    if kind == "image":
        image = _dict(message.get("image"))
        if not image.get("id"):
            return Inbound(unsupported="default", metadata=metadata, **base)
        attachment_id = f"wa:{image['id']}"
        metadata["attachment"] = {
            "kind": "photo",
            "id": attachment_id,
            "mime_type": image.get("mime_type"),
            "caption": image.get("caption"),
        }
        text = intent_text("share_photo", {"attachment_id": attachment_id})
        return Inbound(text=text, metadata=metadata, **base)

    if kind == "contacts":
        for contact in _dicts(message.get("contacts")):
            for phone in _dicts(contact.get("phones")):
                # A number not on WhatsApp has no wa_id, only the typed phone.
                number = phone_to_national(str(phone.get("wa_id") or phone.get("phone") or ""))
                if number:
                    metadata["contact"] = {
                        "name": _dict(contact.get("name")).get("formatted_name"),
                        "phone_number": number,
                    }
                    text = intent_text("inform", {"phone_number": number})
                    return Inbound(text=text, metadata=metadata, **base)
        return Inbound(unsupported="default", metadata=metadata, **base)

    if kind == "audio":
        voice = bool(_dict(message.get("audio")).get("voice"))
        return Inbound(unsupported="voice" if voice else "audio", metadata=metadata, **base)

    if kind in ("sticker", "video", "document"):
        return Inbound(unsupported=str(kind), metadata=metadata, **base)

    if kind == "reaction":
        if not _dict(message.get("reaction")).get("emoji"):
            return None  # a reaction was removed: nothing to answer
        return Inbound(unsupported="reaction", metadata=metadata, **base)

    if kind == "system":  # e.g. the resident changed number; nothing to answer
        logger.info("WhatsApp system message %s ignored", message_id)
        return None

    return Inbound(unsupported="default", metadata=metadata, **base)


def log_status(status: Mapping[str, Any]) -> None:
    """Delivery receipts: failures are an operator's business, never a resident's."""
    recipient = ChatIdentity(channel="whatsapp", account=str(status.get("recipient_id"))).masked()
    if status.get("status") == "failed":
        errors = [
            f"{e.get('code')} {e.get('title') or e.get('message') or ''}".strip()
            for e in _dicts(status.get("errors"))
        ]
        logger.warning(
            "WhatsApp message %s to %s failed: %s",
            status.get("id"),
            recipient,
            "; ".join(errors) or "no reason given",
        )
    else:
        logger.debug(
            "WhatsApp message %s to %s: %s", status.get("id"), recipient, status.get("status")
        )


def parse_webhook(payload: Mapping[str, Any], *, phone_number_id: str) -> list[Inbound]:
    """Every message of a (possibly batched) delivery, in the order residents sent them.

    Statuses are logged; changes for another phone number of the same business
    account are ignored (they are not ours to answer).
    """
    inbound: list[Inbound] = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field") != "messages":
                logger.debug("WhatsApp change %s ignored", change.get("field"))
                continue
            value = _dict(change.get("value"))
            number = str(_dict(value.get("metadata")).get("phone_number_id") or "")
            if number and number != phone_number_id:
                logger.warning("WhatsApp delivery for another phone number id ignored")
                continue
            for error in _dicts(value.get("errors")):
                logger.warning(
                    "WhatsApp webhook error %s: %s",
                    error.get("code"),
                    error.get("title") or error.get("message"),
                )
            for status in _dicts(value.get("statuses")):
                log_status(status)
            for message in _dicts(value.get("messages")):
                parsed = parse_message(message)
                if parsed is not None:
                    inbound.append(parsed)
    # Stable: messages with equal timestamps keep the platform's order.
    return sorted(inbound, key=lambda m: m.sent_at or 0.0)


# --------------------------------------------------------------------------- sending


class GraphClient:
    """Sends messages through ``POST {api_base}/{phone_number_id}/messages``.

    The aiohttp session is created on first use, inside the server's event loop,
    never at import or start-up.
    """

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        pair_rate_delay: float = 6.0,
        timeout: float = 15.0,
    ) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy()
        # Cloud API's default throughput is 80 messages per second per number.
        self.limiter = limiter or RateLimiter(rate=80, burst=80)
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

    def classify(self, error: BaseException) -> Retry | None:
        if isinstance(error, WhatsAppApiError):
            if error.code == PAIR_RATE_LIMIT:
                return Retry(after=error.retry_after or self.pair_rate_delay)
            if error.status == 429 or error.status >= 500 or error.code in RETRYABLE_CODES:
                return Retry(after=error.retry_after)
            return None
        if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError)):
            return Retry()
        return None

    async def send(self, message: Mapping[str, Any]) -> str | None:
        """Send one message object; returns Meta's message id (``wamid…``)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **message}
        return await call_with_retries(
            f"WhatsApp send {message.get('type')}",
            lambda: self._post(body),
            self.classify,
            self.retry,
        )

    async def _post(self, body: Mapping[str, Any]) -> str | None:
        await self.limiter.acquire()
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


class ServiceWindow:
    """Meta's 24-hour customer-service window, per resident, from their last message."""

    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def _key(wa_id: str) -> str:
        return f"wa:window:{wa_id}"

    async def touch(self, wa_id: str, sent_at: float | None) -> None:
        now = self.clock()
        age = max(0.0, now - sent_at) if sent_at else 0.0
        ttl = SERVICE_WINDOW_SECONDS - WINDOW_MARGIN_SECONDS - age
        if ttl > 0:
            await self.store.set(self._key(wa_id), str(int(sent_at or now)), ttl)

    async def is_open(self, wa_id: str) -> bool:
        return await self.store.get(self._key(wa_id)) is not None


class WhatsAppOutput(OutputChannel):
    """Renders Rasa responses as WhatsApp messages (text, reply buttons, lists, templates)."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(
        self,
        client: GraphClient,
        *,
        replies: Replies,
        payloads: PayloadRegistry,
        window: ServiceWindow,
    ) -> None:
        self.client = client
        self.replies = replies
        self.payloads = payloads
        self.window = window

    @staticmethod
    def wa_id(recipient_id: str) -> str:
        identity = ChatIdentity.from_sender_id(recipient_id)
        if identity.channel != "whatsapp":
            raise RecipientNotOnChannel("whatsapp", recipient_id)
        return identity.account

    async def _send(self, recipient_id: str, message: Mapping[str, Any]) -> None:
        await self.client.send({"to": self.wa_id(recipient_id), **message})

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        custom = dict(message.get("custom") or {})
        wants_location = custom.pop("request_location", None) is True
        # The resident's number is their wa_id already; there is no contact request.
        custom.pop("request_contact", None)
        text = str(message.get("text") or "")
        buttons = list(message.get("buttons") or message.get("quick_replies") or [])
        if buttons:
            await self.send_text_with_buttons(recipient_id, text, buttons)
        elif wants_location:
            await self.send_location_request(recipient_id, text or self.replies["location_prompt"])
        elif text:
            await self.send_text_message(recipient_id, text)
        if buttons and wants_location:
            await self.send_location_request(recipient_id, self.replies["location_prompt"])
        if custom:
            await self.send_custom_json(recipient_id, custom)
        if message.get("image"):
            await self.send_image_url(recipient_id, str(message["image"]))
        if message.get("attachment"):
            await self.send_attachment(recipient_id, message["attachment"])
        if message.get("elements"):
            await self.send_elements(recipient_id, message["elements"])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text):
            await self._send(
                recipient_id, {"type": "text", "text": {"body": chunk, "preview_url": False}}
            )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"type": "image", "image": {"link": image}})

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.send_text_message(recipient_id, attachment)
        else:
            logger.warning("WhatsApp: attachment of type %s not sent", type(attachment).__name__)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Raw JSON must never reach a resident; unknown custom keys are an authoring bug.
        logger.warning("WhatsApp: custom payload keys %s not rendered", sorted(json_message))

    async def send_location_request(self, recipient_id: str, text: str) -> None:
        lead, body = self._body(text)
        if lead:
            await self.send_text_message(recipient_id, lead)
        await self._send(
            recipient_id,
            {
                "type": "interactive",
                "interactive": {
                    "type": "location_request_message",
                    "body": {"text": body},
                    "action": {"name": "send_location"},
                },
            },
        )

    def _body(self, text: str) -> tuple[str, str]:
        """Text longer than an interactive body: the lead goes first as plain text."""
        text = text.strip() or self.replies["choose_prompt"]
        if utf16_len(text) <= BODY_MAX:
            return "", text
        chunks = split_text(text, BODY_MAX)
        return "\n\n".join(chunks[:-1]), chunks[-1]

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        links = [b for b in buttons if b.get("url") and not b.get("payload")]
        choices = [b for b in buttons if b not in links]
        if links:
            # Reply buttons cannot open links; the links go into the text.
            text = "\n".join([text, *(f"{b.get('title', '')}: {b['url']}" for b in links)])
        if not choices:
            await self.send_text_message(recipient_id, text)
            return
        if len(choices) > MAX_LIST_ROWS:
            menu = numbered_menu(text, choices, self.replies["numbered_hint"])
            await self.send_text_message(recipient_id, menu)
            return
        lead, body = self._body(text)
        if lead:
            await self.send_text_message(recipient_id, lead)
        interactive = await self.render_choices(body, choices)
        await self._send(recipient_id, {"type": "interactive", "interactive": interactive})

    async def render_choices(self, body: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
        """Up to 3 distinct titles as reply buttons, otherwise a list (≤ 10 rows)."""
        titles = [
            shorten(str(b.get("title") or button_payload(b)), BUTTON_TITLE_MAX) for b in buttons
        ]
        if len(buttons) <= MAX_REPLY_BUTTONS and len(set(titles)) == len(titles):
            return {
                "type": "button",
                "body": {"text": body},
                "action": {
                    "buttons": [
                        {
                            "type": "reply",
                            "reply": {
                                "id": await self.payloads.encode(button_payload(b), BUTTON_ID_MAX),
                                "title": title,
                            },
                        }
                        for b, title in zip(buttons, titles, strict=True)
                    ]
                },
            }
        rows = []
        for button in buttons:
            full = " ".join(str(button.get("title") or button_payload(button)).split())
            row: dict[str, Any] = {
                "id": await self.payloads.encode(button_payload(button), ROW_ID_MAX),
                "title": shorten(full, ROW_TITLE_MAX),
            }
            if len(full) > ROW_TITLE_MAX:
                row["description"] = shorten(full, ROW_DESCRIPTION_MAX)
            rows.append(row)
        return {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": shorten(self.replies["list_button"], LIST_BUTTON_MAX),
                "sections": [{"rows": rows}],
            },
        }

    async def send_notification(
        self, recipient_id: str, text: str, template_params: list[str]
    ) -> None:
        """A message Tabik starts (e.g. a ticket's new status).

        Inside the 24-hour window it goes as free text; outside it (or when Meta
        says the window closed) as the approved template with ``template_params``.
        """
        wa_id = self.wa_id(recipient_id)
        if await self.window.is_open(wa_id):
            try:
                await self.send_text_message(recipient_id, text)
                return
            except WhatsAppApiError as error:
                if error.code != OUTSIDE_WINDOW:
                    raise
                logger.info(
                    "WhatsApp window closed for %s; sending the template",
                    ChatIdentity("whatsapp", wa_id).masked(),
                )
        template: dict[str, Any] = {
            "name": self.client.settings.notification_template,
            "language": {"code": self.client.settings.template_language},
        }
        if template_params:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": str(p)} for p in template_params],
                }
            ]
        await self._send(recipient_id, {"type": "template", "template": template})


# --------------------------------------------------------------------------- input


SEND_ERRORS: tuple[type[BaseException], ...] = (
    WhatsAppApiError,
    RetryBudgetExhausted,
    aiohttp.ClientError,
    asyncio.TimeoutError,
)


class WhatsAppInput(WebhookInput):
    """``/webhooks/whatsapp/webhook``: GET verification and signed POST deliveries."""

    send_errors = SEND_ERRORS
    output: WhatsAppOutput

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_settings(
        cls, settings: Settings, credentials: Mapping[str, Any] | None = None
    ) -> WhatsAppInput:
        config = channel_settings(
            settings.whatsapp,
            credentials,
            settings_type=WhatsAppSettings,
            required=("verify_token", "app_secret", "access_token", "phone_number_id"),
            on_missing=cls.raise_missing_credentials_exception,
        )
        return cls(config, store=create_store(settings.redis_url))

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        store: KeyValueStore,
        replies: Replies | None = None,
        client: GraphClient | None = None,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        super().__init__(store, namespace="wa", replies=replies, dispatcher=dispatcher)
        self.settings = settings
        self.flood = FloodGuard()
        self.client = client or GraphClient(settings)
        self.output = WhatsAppOutput(
            self.client,
            replies=self.replies,
            payloads=self.payloads,
            window=ServiceWindow(store),
        )

    def get_output_channel(self) -> WhatsAppOutput:
        return self.output

    def verify_subscription(self, args: Mapping[str, str]) -> str | None:
        """``hub.challenge`` to echo when Meta's verification request is genuine."""
        token = args.get("hub.verify_token") or ""
        if args.get("hub.mode") != "subscribe":
            return None
        if not hmac.compare_digest(token.encode(), self.settings.verify_token.encode()):
            return None
        return args.get("hub.challenge") or ""

    async def process(
        self, inbound: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        try:
            await self.output.window.touch(self.output.wa_id(inbound.sender_id), inbound.sent_at)
        except Exception:
            # Only template-vs-text for later notifications depends on it; go on answering.
            logger.exception("could not record the service window of %s", inbound.masked_sender)
        await self.deliver(inbound, on_new_message)

    def accept(
        self,
        body: bytes,
        signature: str | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> tuple[int, str]:
        """Authenticate, parse and queue one delivery; the HTTP status and text to answer."""
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
        if not self.dispatcher.has_capacity:
            # Not a processing failure: nothing was accepted, so Meta's redelivery is wanted.
            logger.error("WhatsApp webhook overloaded; delivery refused for redelivery")
            return 503, "busy"
        try:
            messages = parse_webhook(payload, phone_number_id=self.settings.phone_number_id)
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError, OSError):
            # Authentic but unreadable (a Graph API change?): redelivery would not help.
            logger.exception("WhatsApp delivery could not be parsed")
            return 200, "ignored"
        for inbound in self.flood.screen(messages):
            self.dispatcher.submit(inbound, lambda m: self.process(m, on_new_message))
        return 200, "ok"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.webhook_blueprint()

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            args = {key: request.args.get(key) for key in request.args}
            challenge = self.verify_subscription(args)
            if challenge is None:
                logger.warning("WhatsApp webhook verification refused")
                return response.text("forbidden", status=403)
            return response.text(challenge)

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await read_body(request)
            except RejectedRequest as rejected:
                return response.text(rejected.reason, status=rejected.status)
            status, text = self.accept(body, request.headers.get(SIGNATURE_HEADER), on_new_message)
            return response.text(text, status=status)

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
    "GraphClient",
    "ServiceWindow",
    "WhatsAppApiError",
    "WhatsAppInput",
    "WhatsAppOutput",
    "parse_message",
    "parse_webhook",
    "sign",
    "verify_signature",
]
