"""Photos residents sent, downloaded from the platform into ``MEDIA_DIR`` when they arrive.

Attachments are platform references (``wa:<numeric media id>``, ``tg:<file_id>``)
that only a channel makes, from a real platform message; the channel's inbound
worker downloads each one before its turn, because the platform's copy expires.
The downloader talks only to the platform's own hosts: the configured API base
and, for WhatsApp, the media host the Graph API names, which must be on the
configured allow-list (``WHATSAPP_MEDIA_HOSTS``). The access token goes to no
other host and no redirect is followed. Only JPEG, PNG and WebP are kept, told
by their first bytes (a platform's or a sender's content type is not trusted),
and nothing over :data:`MAX_MEDIA_BYTES`. Anything else is :class:`MediaRefused`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from bot.config import Settings, TelegramSettings, WhatsAppSettings
from bot.domain.attachments import is_platform_ref as platform_ref
from bot.domain.attachments import is_staff_ref, new_staff_ref

__all__ = [
    "EXTENSIONS",
    "MAX_MEDIA_BYTES",
    "OFFICER_PHOTO_TYPES",
    "PHOTO_TYPES",
    "MediaRefused",
    "PlatformMedia",
    "StoredPhoto",
    "image_type",
    "local_name",
    "platform_ref",
]

logger = logging.getLogger(__name__)

MAX_MEDIA_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 30.0

TELEGRAM_FILE_PATH = re.compile(r"\A[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*\Z")

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# What an officer may upload as the photo of a result.
OFFICER_PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
# The content types a sent file is taken as a photo with (its bytes decide in the end).
PHOTO_TYPES = frozenset(EXTENSIONS)


class MediaRefused(Exception):
    """``reason``: ``not_image``, ``too_large``, ``unavailable`` (the platform refused or
    answered oddly, or no channel), ``host`` (a host off the allow-list) or ``storage``
    (the media folder cannot take it: a full disk)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"media refused: {reason} {detail}".strip())
        self.reason = reason


@dataclass(frozen=True)
class StoredPhoto:
    path: Path
    mime_type: str  # from the bytes: image/jpeg, image/png or image/webp


def image_type(head: bytes) -> str | None:
    """The image type the first bytes prove (JPEG, PNG, WebP), or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def local_name(ref: str) -> str:
    """A file name for a platform reference (no path separators, no surprises)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", ref)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class PlatformMedia:
    """Downloads and keeps residents' photos; ``stored`` reads what is kept."""

    def __init__(
        self,
        media_dir: Path,
        *,
        whatsapp: WhatsAppSettings | None = None,
        telegram: TelegramSettings | None = None,
        max_bytes: int = MAX_MEDIA_BYTES,
    ) -> None:
        self.media_dir = media_dir
        self.whatsapp = whatsapp
        self.telegram = telegram
        self.max_bytes = max_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> PlatformMedia:
        return cls(settings.media_dir, whatsapp=settings.whatsapp, telegram=settings.telegram)

    def path_of(self, ref: str) -> Path:
        return self.media_dir / local_name(ref)

    def stored(self, ref: str) -> StoredPhoto | None:
        """The kept photo of ``ref``, or None when there is none (or it is no image)."""
        path = self.path_of(ref)
        try:
            with path.open("rb") as kept:
                kind = image_type(kept.read(16))
        except OSError:
            return None
        return StoredPhoto(path, kind) if kind else None

    def keep_officer_photo(self, body: bytes) -> tuple[str, StoredPhoto]:
        """Keep an officer's photo of a result (JPEG or PNG by its bytes, at most
        ``max_bytes``) under a fresh ``staff:`` reference; MediaRefused otherwise."""
        if len(body) > self.max_bytes:
            raise MediaRefused("too_large", f"{len(body)} bytes")
        kind = image_type(body[:16])
        if kind not in OFFICER_PHOTO_TYPES:
            raise MediaRefused("not_image", "not JPEG or PNG")
        ref = new_staff_ref()
        return ref, self._keep(ref, body, kind)

    def kept(self, ref: str) -> StoredPhoto | None:
        """A kept photo a console or a sender may hand on: a platform's or an officer's."""
        return self.stored(ref) if platform_ref(ref) or is_staff_ref(ref) else None

    async def download(self, ref: str) -> StoredPhoto:
        """Fetch ``ref`` from its platform into the media folder (once); what was kept."""
        if not platform_ref(ref):
            raise MediaRefused("unavailable", "not a platform reference")
        # Files are read and written in a thread: this runs on Rasa's event loop.
        kept = await asyncio.to_thread(self.stored, ref)
        if kept is not None:
            return kept
        prefix, _, media_id = ref.partition(":")
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                if prefix == "wa" and self.whatsapp is not None:
                    body = await self._from_whatsapp(session, self.whatsapp, media_id)
                elif prefix == "tg" and self.telegram is not None:
                    body = await self._from_telegram(session, self.telegram, media_id)
                else:
                    raise MediaRefused("unavailable", f"no channel for {prefix}")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            # A network failure or an answer that is no JSON: the platform's, not ours.
            raise MediaRefused("unavailable", type(error).__name__) from error
        kind = image_type(body[:16])
        if kind is None:
            raise MediaRefused("not_image", "not JPEG, PNG or WebP")
        return await asyncio.to_thread(self._keep, ref, body, kind)

    def _keep(self, ref: str, body: bytes, kind: str) -> StoredPhoto:
        path = self.path_of(ref)
        partial = path.with_name(path.name + ".part")
        try:
            self.media_dir.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(body)
            partial.replace(path)  # readers never see half a photo
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)  # what a full disk let through
            raise MediaRefused("storage", error.strerror or type(error).__name__) from error
        return StoredPhoto(path, kind)

    # ------------------------------------------------------------------ platforms

    async def _from_whatsapp(
        self, session: aiohttp.ClientSession, whatsapp: WhatsAppSettings, media_id: str
    ) -> bytes:
        headers = {"Authorization": f"Bearer {whatsapp.access_token}"}
        info = await self._json(session, f"{whatsapp.api_base}/{media_id}", headers)
        size = info.get("file_size")
        if isinstance(size, (int, float)) and size > self.max_bytes:
            raise MediaRefused("too_large", f"{size} bytes")
        url = info.get("url")
        if not isinstance(url, str):
            raise MediaRefused("unavailable", "media lookup without a URL")
        self._check_host(url, whatsapp.api_base, whatsapp.media_hosts)
        return await self._bytes(session, url, headers)

    async def _from_telegram(
        self, session: aiohttp.ClientSession, telegram: TelegramSettings, file_id: str
    ) -> bytes:
        base = f"{telegram.api_base}/bot{telegram.bot_token}"
        info = await self._json(session, f"{base}/getFile?file_id={quote(file_id)}", {})
        result = info.get("result")
        result = result if isinstance(result, dict) else {}
        size = result.get("file_size")
        if isinstance(size, (int, float)) and size > self.max_bytes:
            raise MediaRefused("too_large", f"{size} bytes")
        file_path = result.get("file_path")
        if not isinstance(file_path, str) or not TELEGRAM_FILE_PATH.match(file_path):
            raise MediaRefused("unavailable", "getFile without a usable file_path")
        # Built on the API base, so it cannot name another host.
        url = f"{telegram.api_base}/file/bot{telegram.bot_token}/{file_path}"
        return await self._bytes(session, url, {})

    @staticmethod
    def _check_host(url: str, api_base: str, media_hosts: str) -> None:
        """The Graph API's media URL must be on a host of the platform's (the token goes there)."""
        allowed = {_host(api_base)} | {
            h.strip().lower() for h in media_hosts.split(",") if h.strip()
        }
        scheme = urlsplit(url).scheme.lower()
        # Plain HTTP only where the API base itself is plain HTTP (a local fake in tests).
        schemes = {"https", urlsplit(api_base).scheme.lower()}
        if _host(url) not in allowed or scheme not in schemes:
            logger.warning("WhatsApp media URL on %s refused (not an allowed host)", _host(url))
            raise MediaRefused("host", _host(url))

    async def _bytes(
        self, session: aiohttp.ClientSession, url: str, headers: dict[str, str]
    ) -> bytes:
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            if response.status != 200:
                raise MediaRefused("unavailable", f"download answered {response.status}")
            if (response.content_length or 0) > self.max_bytes:
                raise MediaRefused("too_large", f"{response.content_length} bytes")
            body = bytearray()
            # Counted while reading: a platform's size claim is not trusted.
            async for chunk in response.content.iter_chunked(64 * 1024):
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise MediaRefused("too_large", f"{len(body)} bytes or more")
            return bytes(body)

    @staticmethod
    async def _json(
        session: aiohttp.ClientSession, url: str, headers: dict[str, str]
    ) -> dict[str, Any]:
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            if response.status != 200:
                # The URL may hold the Telegram token: only the status is told.
                raise MediaRefused("unavailable", f"media lookup answered {response.status}")
            body = await response.json(content_type=None)
            if not isinstance(body, dict):
                raise MediaRefused("unavailable", "media lookup answered no object")
            return body
