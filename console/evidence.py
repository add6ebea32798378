"""The evidence of a finished complaint as the console receives it: an officer's photo of
the result (a form's file or the API's base64 ``photo``), checked by its bytes and kept
in ``MEDIA_DIR`` before the status change; thrown away again when the change fails.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.adapters.media import MAX_MEDIA_BYTES, MediaRefused, PlatformMedia
from bot.services.status_changes import Photo
from console.request_context import services, settings

__all__ = ["PHOTO_BODY_MAX", "PHOTO_WORDS", "BadPhoto", "decode_photo", "kept_photo"]

log = logging.getLogger(__name__)

# A status form or API call may carry one photo (base64 is a third longer) and a note.
PHOTO_BODY_MAX = MAX_MEDIA_BYTES * 4 // 3 + 256 * 1024
PHOTO_WORDS = {
    "not_image": "Foto hasil harus berupa JPEG atau PNG.",
    "too_large": f"Foto hasil paling besar {MAX_MEDIA_BYTES // (1024 * 1024)} MB.",
    "storage": "Foto hasil tidak dapat disimpan saat ini. Coba lagi.",
    "base64": "photo harus berupa base64 dari berkas JPEG atau PNG.",
}


class BadPhoto(ValueError):
    """An uploaded photo the console does not keep; ``reason`` is a key of PHOTO_WORDS."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"photo refused: {reason}")
        self.reason = reason
        self.text = PHOTO_WORDS.get(reason, PHOTO_WORDS["not_image"])


def decode_photo(value: object) -> bytes | None:
    """The API's ``photo`` field: None when absent or empty, BadPhoto when not base64."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadPhoto("base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadPhoto("base64") from error


def _media(request: web.Request) -> PlatformMedia:
    return services(request).media or PlatformMedia(settings(request).media_dir)


@contextlib.asynccontextmanager
async def kept_photo(request: web.Request, body: bytes | None) -> AsyncIterator[Photo | None]:
    """Keep ``body`` as the officer's photo for the block; removed if the block fails."""
    if not body:
        yield None
        return
    media = _media(request)
    try:
        ref, stored = await asyncio.to_thread(media.keep_officer_photo, body)
    except MediaRefused as refused:
        raise BadPhoto(refused.reason) from refused
    try:
        yield Photo(ref=ref, mime_type=stored.mime_type)
    except BaseException:
        with contextlib.suppress(OSError):
            stored.path.unlink(missing_ok=True)
        raise
    log.info("photo of the result kept as %s", ref[:14])
