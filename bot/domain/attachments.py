"""What a photo reference looks like: only channels make one, from a real platform message.

``wa:<media id>`` (WhatsApp media ids are numbers) or ``tg:<file_id>`` (Telegram's
URL-safe base64). A reference of another shape was typed, not delivered, and is
never attached to a ticket nor sent to a platform.

An officer's photo of the result is ``staff:<32 hex digits>``: made here when the
console keeps the upload, never taken from a request.
"""

from __future__ import annotations

import re
import secrets

__all__ = ["is_platform_ref", "is_staff_ref", "new_staff_ref"]

WHATSAPP_MEDIA_ID = re.compile(r"\A[0-9]{1,40}\Z")
TELEGRAM_FILE_ID = re.compile(r"\A[A-Za-z0-9_-]{1,255}\Z")
STAFF_PHOTO = re.compile(r"\Astaff:[0-9a-f]{32}\Z")


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


def new_staff_ref() -> str:
    """A fresh reference for an officer's photo of the result."""
    return f"staff:{secrets.token_hex(16)}"


def is_staff_ref(ref: object) -> bool:
    """Whether ``ref`` names an officer's photo (one :func:`new_staff_ref` made)."""
    return isinstance(ref, str) and bool(STAFF_PHOTO.match(ref))
