"""WhatsApp rendering of Rasa's responses (``WhatsAppOutput``): text, reply buttons,
lists, location requests and templates, kept photos (uploaded to the Cloud API's
media endpoint, then sent by id), and delivery of outbox rows (free text inside the
24-hour window, templates outside).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.adapters.media import StoredPhoto
from bot.domain.identity import ChatIdentity
from bot.services.outbox import OutboxItem
from channels.errors import WhatsAppApiError
from channels.graph_client import OUTSIDE_WINDOW, GraphClient
from channels.outbound import Progress
from channels.output import PlatformOutput, Rendering, without_template_params
from channels.text import button_payload, numbered_menu, shorten, split_text, utf16_len

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger(__name__)

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

# A template parameter may hold neither line breaks nor long runs of spaces.
TEMPLATE_PARAM_MAX = 1000
_SPACES = re.compile(r"[ \t]{4,}")

# Whether free text still reaches a resident (24 hours after their latest message).
WindowCheck = Callable[[ChatIdentity], Awaitable[bool]]


def template_text(value: object) -> str:
    """A template parameter as Meta accepts it: one line, bounded."""
    text = " | ".join(line.strip() for line in str(value).splitlines() if line.strip())
    text = _SPACES.sub("   ", text) or "-"
    return text if len(text) <= TEMPLATE_PARAM_MAX else text[: TEMPLATE_PARAM_MAX - 1] + "…"


class WhatsAppOutput(PlatformOutput):
    """Renders Rasa responses as WhatsApp messages (text, reply buttons, lists, templates)."""

    channel_name = "whatsapp"
    platform = "WhatsApp"

    def __init__(
        self, client: GraphClient, *, window: WindowCheck, **rendering: Unpack[Rendering]
    ) -> None:
        super().__init__(**rendering)
        self.client = client
        self.retry = client.retry
        self.window = window

    async def _send(self, recipient_id: str, message: Mapping[str, Any]) -> None:
        await self.client.send({"to": self.account(recipient_id), **message})

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
        await self.send_extras(recipient_id, message, custom)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text):
            await self._send(
                recipient_id, {"type": "text", "text": {"body": chunk, "preview_url": False}}
            )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"type": "image", "image": {"link": image}})

    async def send_photo_file(self, recipient_id: str, photo: StoredPhoto) -> None:
        account = self.account(recipient_id)
        body = await asyncio.to_thread(Path.read_bytes, photo.path)
        media_id = await self.client.upload_media(body, photo.mime_type)
        await self.client.send({"to": account, "type": "image", "image": {"id": media_id}})

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
        wa_id = self.account(recipient_id)
        if await self.window(ChatIdentity("whatsapp", wa_id)):
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
        await self.send_template(
            recipient_id, self.client.settings.notification_template, template_params
        )

    async def send_template(self, recipient_id: str, name: str, params: list[str]) -> None:
        template: dict[str, Any] = {
            "name": name,
            "language": {"code": self.client.settings.template_language},
        }
        if params:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": template_text(p)} for p in params],
                }
            ]
        await self._send(recipient_id, {"type": "template", "template": template})

    async def send_reply_template(
        self, recipient_id: str, messages: Sequence[Mapping[str, Any]]
    ) -> None:
        """Replies that can no longer go as free text: the reply template, text as its one
        parameter (menus as numbered lines, which residents may answer by number)."""
        parts = []
        for message in messages:
            text = str(message.get("text") or "")
            buttons = list(message.get("buttons") or message.get("quick_replies") or [])
            if buttons:
                text = numbered_menu(text, buttons, self.replies["numbered_hint"])
            if text.strip():
                parts.append(text)
        if parts:
            await self.send_template(
                recipient_id, self.client.settings.reply_template, ["\n\n".join(parts)]
            )

    async def send_item(self, item: OutboxItem, progress: Progress) -> None:
        """One outbox row: free text inside the 24-hour window, the template outside it."""
        recipient = item.recipient.sender_id
        pending = list(item.messages[item.parts_sent :])
        window_open = await self.window(item.recipient)
        if item.kind != "notification" and not window_open:
            await self.send_reply_template(recipient, pending)
            await progress(len(item.messages))
            return
        for offset, queued in enumerate(pending, start=item.parts_sent + 1):
            message, params = without_template_params(queued)
            if item.kind == "notification":
                await self.send_notification(recipient, str(message.get("text") or ""), params)
            else:
                try:
                    await self.send_response(recipient, message)
                except WhatsAppApiError as error:
                    if error.code != OUTSIDE_WINDOW:
                        raise
                    # Meta's clock closed the window before ours did.
                    await self.send_reply_template(recipient, item.messages[offset - 1 :])
                    await progress(len(item.messages))
                    return
            await progress(offset)
