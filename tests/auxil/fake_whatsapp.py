"""A local fake of the WhatsApp Cloud API (Graph API) and builders of Meta's webhook bodies.

The fake speaks the documented wire format: ``POST /{version}/{phone_number_id}/messages``
with a bearer token, ``{"messages": [{"id": "wamid…"}]}`` on success and
``{"error": {"code", "message", "error_subcode", "fbtrace_id"}}`` on failure. It
refuses interactive messages that break Meta's limits with error 131009, as Meta does,
so a test passing against it means the limits were kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

PHONE_NUMBER_ID = "109876543210"
ACCESS_TOKEN = "wa-access-token"
APP_SECRET = "wa-app-secret"
VERIFY_TOKEN = "wa-verify-token"
API_VERSION = "v21.0"

INVALID_PARAMETER = 131009

# The smallest files each kind of bytes the downloader keeps or refuses.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"photo" * 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def channel_env(port: int) -> dict[str, str]:
    """Tabik's WhatsApp settings for a fake Graph API listening on ``port``."""
    return {
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE": f"http://127.0.0.1:{port}/{API_VERSION}",
    }


@dataclass
class Failure:
    status: int
    code: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


class FakeGraphApi:
    def __init__(
        self, *, phone_number_id: str = PHONE_NUMBER_ID, access_token: str = ACCESS_TOKEN
    ) -> None:
        self.phone_number_id = phone_number_id
        self.access_token = access_token
        self.requests: list[dict[str, Any]] = []  # every POST, accepted or not
        self.sent: list[dict[str, Any]] = []  # messages accepted (what residents would see)
        self.failures: list[Failure] = []
        # Media residents "sent": id -> (declared type, bytes). Ids are issued here, as
        # Meta issues them; every GET is recorded so a test sees what Tabik asked for.
        self.media: dict[str, tuple[str, bytes]] = {}
        self.media_requests: list[dict[str, Any]] = []
        # A media URL the lookup answers instead of the fake's own (another host).
        self.media_url_override: str | None = None
        self._media_ids = itertools.count(880_000_001)
        # Media Tabik uploaded (an officer's photo of a result): id -> (type, bytes).
        self.uploads: dict[str, tuple[str, bytes]] = {}
        self.outage_until = 0.0  # time.monotonic() before which every POST gets a 503
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/{API_VERSION}/{{pnid}}/messages", self._messages)
        app.router.add_post(f"/{API_VERSION}/{{pnid}}/media", self._upload)
        app.router.add_get(f"/{API_VERSION}/{{media_id}}", self._media_info)
        app.router.add_get("/whatsapp_business/attachments/{media_id}", self._media_download)
        return app

    def upload(self, body: bytes = JPEG, mime_type: str = "image/jpeg") -> str:
        """A resident's photo on Meta's side; its media id, as a webhook would carry it."""
        media_id = str(next(self._media_ids))
        self.media[media_id] = (mime_type, body)
        return media_id

    async def _upload(self, request: web.Request) -> web.Response:
        """``POST /{phone_number_id}/media``: multipart messaging_product, type and file."""
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return _error(401, 190, "Invalid OAuth access token")
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp" or not isinstance(upload, web.FileField):
            return _error(400, INVALID_PARAMETER, "Parameter value is not valid: file")
        mime_type = str(form.get("type") or upload.content_type)
        if mime_type not in ("image/jpeg", "image/png"):
            return _error(400, INVALID_PARAMETER, "Parameter value is not valid: type")
        media_id = str(next(self._media_ids))
        self.uploads[media_id] = (mime_type, upload.file.read())
        return web.json_response({"id": media_id})

    def unissued_media_requests(self) -> list[dict[str, Any]]:
        """Media requests for an id the fake never issued (a resident's invention)."""
        return [r for r in self.media_requests if r["media_id"] not in self.media]

    async def _media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        self.media_requests.append(
            {"path": request.path, "media_id": media_id, "headers": dict(request.headers)}
        )
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return _error(401, 190, "Invalid OAuth access token")
        if media_id not in self.media:
            return _error(400, 100, "Unsupported get request")
        mime_type, body = self.media[media_id]
        url = self.media_url_override or (
            f"http://{request.host}/whatsapp_business/attachments/{media_id}"
        )
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": url,
                "mime_type": mime_type,
                "sha256": hashlib.sha256(body).hexdigest(),
                "file_size": len(body),
                "id": media_id,
            }
        )

    async def _media_download(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        self.media_requests.append(
            {"path": request.path, "media_id": media_id, "headers": dict(request.headers)}
        )
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return web.Response(status=401)
        if media_id not in self.media:
            return web.Response(status=404)
        mime_type, body = self.media[media_id]
        return web.Response(body=body, content_type=mime_type)

    def fail_next(
        self,
        status: int,
        *,
        code: int,
        message: str = "error",
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.failures.extend(Failure(status, code, message, headers or {}) for _ in range(times))

    def fail_for(self, seconds: float) -> None:
        """An outage: every message POST is answered 503 for ``seconds`` from now."""
        self.outage_until = time.monotonic() + seconds

    async def wait_for_sent(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.sent) >= count), timeout)
        return list(self.sent)

    async def _messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"path": request.path, "headers": dict(request.headers), "json": body})
        try:
            if request.headers.get("Authorization") != f"Bearer {self.access_token}":
                return _error(401, 190, "Invalid OAuth access token")
            if request.match_info["pnid"] != self.phone_number_id:
                return _error(400, 100, "Unsupported post request")
            if time.monotonic() < self.outage_until:
                return _error(503, 2, "Service temporarily unavailable")
            if self.failures:
                failure = self.failures.pop(0)
                return _error(failure.status, failure.code, failure.message, failure.headers)
            problem = validate_message(body)
            if problem:
                return _error(400, INVALID_PARAMETER, f"Parameter value is not valid: {problem}")
            self.sent.append(body)
            wamid = f"wamid.OUT{next(self._ids)}"
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                    "messages": [{"id": wamid}],
                }
            )
        finally:
            async with self._changed:
                self._changed.notify_all()


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "AbCdEf",
            }
        },
        status=status,
        headers=headers,
    )


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def validate_message(body: dict[str, Any]) -> str | None:
    """Meta's documented limits; the first broken one, or None."""
    if body.get("messaging_product") != "whatsapp" or not body.get("to"):
        return "messaging_product/to"
    kind = body.get("type")
    if kind == "text":
        text = body["text"]["body"]
        return None if 0 < _utf16(text) <= 4096 else "text.body length"
    if kind != "interactive":
        return None
    interactive = body["interactive"]
    if not 0 < _utf16(interactive.get("body", {}).get("text", "")) <= 1024:
        return "body.text length"
    if interactive["type"] == "button":
        buttons = interactive["action"]["buttons"]
        if not 1 <= len(buttons) <= 3:
            return "buttons count"
        titles = [b["reply"]["title"] for b in buttons]
        ids = [b["reply"]["id"] for b in buttons]
        if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
            return "buttons not unique"
        if any(not 0 < len(t) <= 20 for t in titles) or any(len(i) > 256 for i in ids):
            return "button title/id length"
    if interactive["type"] == "list":
        action = interactive["action"]
        rows = [row for section in action["sections"] for row in section["rows"]]
        if not 1 <= len(rows) <= 10 or not 0 < len(action["button"]) <= 20:
            return "rows count/button label"
        for row in rows:
            if not 0 < len(row["title"]) <= 24 or len(row.get("description", "")) > 72:
                return "row title/description length"
            if len(row["id"]) > 200:
                return "row id length"
    return None


# --------------------------------------------------------------------------- webhooks


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(payload: dict[str, Any], secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery as Meta would post it."""
    body = json.dumps(payload).encode()
    return body, {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature(body, secret),
    }


_message_ids = itertools.count(1)


def message(
    kind: str,
    wa_id: str = "6281234567890",
    *,
    message_id: str | None = None,
    timestamp: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """One ``messages[]`` entry, e.g. ``message("text", text={"body": "halo"})``.

    The timestamp defaults to now, as Meta's would be: the 24-hour window counts from it.
    """
    return {
        "from": wa_id,
        "id": message_id or f"wamid.IN{next(_message_ids)}",
        "timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "type": kind,
        **content,
    }


def text(body: str, wa_id: str = "6281234567890", **kwargs: Any) -> dict[str, Any]:
    return message("text", wa_id, text={"body": body}, **kwargs)


def delivery(
    *messages: dict[str, Any],
    statuses: list[dict[str, Any]] | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A webhook body with one entry/change holding ``messages`` (and ``statuses``)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = (
            contacts
            if contacts is not None
            else [{"profile": {"name": "Warga"}, "wa_id": m["from"]} for m in messages]
        )
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}],
    }
