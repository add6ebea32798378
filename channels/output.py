"""The base of both platforms' output channels (``PlatformOutput``).

A platform's output renders Rasa's bot messages natively (text and buttons are
its own); what it shares is who it may send to, what follows a response's text
(image, attachment, elements, an officer's photo of a result kept in
``MEDIA_DIR``; custom keys are never shown raw), and how an outbox row's queued
messages are read back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar, TypedDict

from rasa.core.channels.channel import OutputChannel
from typing_extensions import NotRequired

from bot.adapters.media import PlatformMedia, StoredPhoto
from bot.domain.identity import ChatIdentity
from bot.services.outbox import OutboxItem
from channels.errors import RecipientNotOnChannel
from channels.outbound import Progress
from channels.payloads import PayloadRegistry
from channels.retry import RetryPolicy
from channels.text import Replies

logger = logging.getLogger(__name__)


def without_template_params(message: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A queued bot message without the WhatsApp template parameters it may carry."""
    message = dict(message)
    custom = dict(message.pop("custom", None) or {})
    params = [str(p) for p in custom.pop("template_params", None) or []]
    if custom:
        message["custom"] = custom
    return message, params


class Rendering(TypedDict):
    """What every platform output renders with, by keyword."""

    replies: Replies  # replies.yml's texts
    payloads: PayloadRegistry  # buttons' payloads too long for the platform
    media: NotRequired[PlatformMedia | None]  # kept photos an outbox message names


class PlatformOutput(OutputChannel):
    """Renders Rasa responses on one platform; a subclass sends text, buttons and images."""

    channel_name: ClassVar[str]  # as in sender ids: "whatsapp", "telegram"
    platform: ClassVar[str]  # for the log: "WhatsApp", "Telegram"
    retry: RetryPolicy  # what a send retries under

    def __init__(
        self,
        *,
        replies: Replies,
        payloads: PayloadRegistry,
        media: PlatformMedia | None = None,
    ) -> None:
        self.replies = replies
        self.payloads = payloads
        self.media = media

    @classmethod
    def name(cls) -> str:
        return cls.channel_name

    def account(self, recipient_id: str) -> str:
        """The platform's account id of a sender id; refused when it is another channel's."""
        identity = ChatIdentity.from_sender_id(recipient_id)
        if identity.channel != self.channel_name:
            raise RecipientNotOnChannel(self.channel_name, recipient_id)
        return identity.account

    async def send_extras(
        self, recipient_id: str, message: Mapping[str, Any], custom: dict[str, Any]
    ) -> None:
        """What a response carries after its text and buttons: the custom keys no
        rendering used, an image, an attachment, elements, a kept photo."""
        photo = custom.pop("photo", None)
        if isinstance(photo, Mapping):
            await self.send_kept(recipient_id, str(photo.get("ref") or ""))
        if custom:
            await self.send_custom_json(recipient_id, custom)
        if message.get("image"):
            await self.send_image_url(recipient_id, str(message["image"]))
        if message.get("attachment"):
            await self.send_attachment(recipient_id, message["attachment"])
        if message.get("elements"):
            await self.send_elements(recipient_id, message["elements"])

    async def send_kept(self, recipient_id: str, ref: str) -> None:
        """A photo kept in ``MEDIA_DIR`` (an officer's of a result); one this process cannot
        read is left out, with a warning: the text it came with has gone already."""
        kept = self.media.kept(ref) if self.media is not None else None
        if kept is None:
            logger.warning("%s: kept photo %s not found; not sent", self.platform, ref[:14])
            return
        await self.send_photo_file(recipient_id, kept)

    async def send_photo_file(self, recipient_id: str, photo: StoredPhoto) -> None:
        """Hook: upload and send a kept photo's bytes."""
        raise NotImplementedError

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.send_text_message(recipient_id, attachment)
        else:
            logger.warning(
                "%s: attachment of type %s not sent", self.platform, type(attachment).__name__
            )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        # Raw JSON must never reach a resident; unknown custom keys are an authoring bug.
        logger.warning(
            "%s: custom payload keys %s not rendered", self.platform, sorted(json_message)
        )

    async def send_item(self, item: OutboxItem, progress: Progress) -> None:
        """One outbox row: send ``item.messages[item.parts_sent:]``, ``progress(n)`` after each."""
        raise NotImplementedError
