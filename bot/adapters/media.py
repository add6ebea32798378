"""Photos residents sent, fetched from the platform into ``MEDIA_DIR`` when staff first open them.

Attachments are kept as platform references (``wa:<media id>``, ``tg:<file_id>``);
the platform's copy expires, so the first view keeps a local one. Only images up
to 5 MB are kept; anything else is refused with :class:`MediaRefused`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Settings

__all__ = ["MAX_MEDIA_BYTES", "MediaRefused", "PlatformMedia", "local_name"]

MAX_MEDIA_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 30.0


class MediaRefused(Exception):
    """``reason``: ``not_image``, ``too_large`` or ``unavailable`` (refused, or no channel)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"media refused: {reason} {detail}".strip())
        self.reason = reason


def local_name(ref: str) -> str:
    """A file name for a platform reference (no path separators, no surprises)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", ref)


class PlatformMedia:
    def __init__(self, settings: Settings, media_dir: Path) -> None:
        self.settings = settings
        self.media_dir = media_dir

    def cached(self, ref: str) -> Path | None:
        path = self.media_dir / local_name(ref)
        return path if path.is_file() else None

    async def fetch(self, ref: str) -> tuple[Path, str]:
        """The local file and its content type, downloading it first when needed."""
        prefix, _, media_id = ref.partition(":")
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            if prefix == "wa" and self.settings.whatsapp is not None:
                url, headers = await self._whatsapp_url(session, media_id)
            elif prefix == "tg" and self.settings.telegram is not None:
                url, headers = await self._telegram_url(session, media_id)
            else:
                raise MediaRefused("unavailable", f"no channel for {prefix}")
            async with session.get(url, headers=headers) as response:
                if response.status != 200:
                    raise MediaRefused("unavailable", f"download answered {response.status}")
                kind = response.headers.get("Content-Type", "").split(";")[0].strip()
                if not kind.startswith("image/"):
                    raise MediaRefused("not_image", kind)
                body = bytearray()
                # Counted while reading: a platform's size claim is not trusted.
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body.extend(chunk)
                    if len(body) > MAX_MEDIA_BYTES:
                        raise MediaRefused("too_large", f"{len(body)} bytes or more")
        self.media_dir.mkdir(parents=True, exist_ok=True)
        path = self.media_dir / local_name(ref)
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(body))
        partial.replace(path)  # readers never see half a photo
        return path, kind

    async def _whatsapp_url(
        self, session: aiohttp.ClientSession, media_id: str
    ) -> tuple[str, dict[str, str]]:
        whatsapp = self.settings.whatsapp
        assert whatsapp is not None
        headers = {"Authorization": f"Bearer {whatsapp.access_token}"}
        info = await self._json(session, f"{whatsapp.api_base}/{media_id}", headers)
        size = int(info.get("file_size") or 0)
        if size > MAX_MEDIA_BYTES:
            raise MediaRefused("too_large", f"{size} bytes")
        if not str(info.get("mime_type") or "image/").startswith("image/"):
            raise MediaRefused("not_image", str(info.get("mime_type")))
        return str(info["url"]), headers

    async def _telegram_url(
        self, session: aiohttp.ClientSession, file_id: str
    ) -> tuple[str, dict[str, str]]:
        telegram = self.settings.telegram
        assert telegram is not None
        base = f"{telegram.api_base}/bot{telegram.bot_token}"
        info = await self._json(session, f"{base}/getFile?file_id={file_id}", {})
        result = info.get("result") or {}
        if int(result.get("file_size") or 0) > MAX_MEDIA_BYTES:
            raise MediaRefused("too_large", str(result.get("file_size")))
        return f"{telegram.api_base}/file/bot{telegram.bot_token}/{result['file_path']}", {}

    @staticmethod
    async def _json(
        session: aiohttp.ClientSession, url: str, headers: dict[str, str]
    ) -> dict[str, Any]:
        async with session.get(url, headers=headers) as response:
            if response.status != 200:
                # The URL may hold the Telegram token: only the status is told.
                raise MediaRefused("unavailable", f"media lookup answered {response.status}")
            body: dict[str, Any] = await response.json()
            return body
