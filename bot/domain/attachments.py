"""What a photo reference looks like: only channels make one, from a real platform message.

``wa:<media id>`` (WhatsApp media ids are numbers) or ``tg:<file_id>`` (Telegram's
URL-safe base64). A reference of another shape was typed, not delivered, and is
never attached to a ticket nor sent to a platform.
"""

from __future__ import annotations

import re

__all__ = ["is_platform_ref"]

WHATSAPP_MEDIA_ID = re.compile(r"\A[0-9]{1,40}\Z")
TELEGRAM_FILE_ID = re.compile(r"\A[A-Za-z0-9_-]{1,255}\Z")


PREFIX_OF_CHANNEL = {"whatsapp": "wa", "telegram": "tg"}


def is_platform_ref(ref: object, *, channel: str | None = None) -> bool:
    """Whether ``ref`` has the shape of a reference a channel makes from a platform
    message (of ``channel``'s platform, when given: a photo comes from the chat it is
    filed from, so a REST or terminal identity never has one)."""
    if not isinstance(ref, str):
        return False
    prefix, _, media_id = ref.partition(":")
    if channel is not None and PREFIX_OF_CHANNEL.get(channel) != prefix:
        return False
    if prefix == "wa":
        return bool(WHATSAPP_MEDIA_ID.match(media_id))
    if prefix == "tg":
        return bool(TELEGRAM_FILE_ID.match(media_id))
    return False
