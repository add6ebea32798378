"""A local fake of the Telegram Bot API and builders of webhook updates.

Requests arrive at ``/bot{token}/{method}`` as python-telegram-bot sends them (form
fields, nested objects JSON-encoded). Answers follow the Bot API: ``{"ok": true,
"result": …}`` or ``{"ok": false, "error_code", "description", "parameters":
{"retry_after"}}``. ``sendMessage`` refuses texts over 4,096 characters and
``callback_data`` over 64 bytes, as Telegram does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

BOT_TOKEN = "123456:TEST-token"
SECRET_TOKEN = "tg-secret_token-1"
CHAT_ID = 555123

_JSON_FIELDS = {"reply_markup", "allowed_updates", "entities"}


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None


class FakeBotApi:
    def __init__(self, *, token: str = BOT_TOKEN) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every call, accepted or not
        self.failures: list[Failure] = []
        self.files: dict[str, bytes] = {}  # file_id -> bytes, for getFile and downloads
        self._ids = itertools.count(1000)
        self._changed = asyncio.Condition()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{bot}/{method}", self._call)
        app.router.add_get("/{bot}/getFile", self._get_file)
        app.router.add_get("/file/{bot}/{path:.+}", self._download)
        return app

    def upload(self, file_id: str, body: bytes) -> None:
        """A file residents sent, as Telegram keeps it under ``file_id``."""
        self.files[file_id] = body

    async def _get_file(self, request: web.Request) -> web.Response:
        file_id = request.query.get("file_id", "")
        self.calls.append(("getFile", {"file_id": file_id}))
        if request.match_info["bot"] != f"bot{self.token}":
            return _error(401, "Unauthorized")
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "file_id": file_id,
                    "file_unique_id": file_id[:8],
                    "file_size": len(self.files[file_id]),
                    "file_path": f"photos/{file_id}.jpg",
                },
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["bot"] != f"bot{self.token}":
            return web.Response(status=401)
        name = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="image/jpeg")

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        description: str = "error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        self.failures.extend(
            Failure(method, status, description, retry_after) for _ in range(times)
        )

    def accepted(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method and params.get("_ok")]

    async def wait_for(self, method: str, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.accepted(method)) >= count), timeout
            )
        return self.accepted(method)

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append((method, params))
        try:
            if request.match_info["bot"] != f"bot{self.token}":
                return _error(401, "Unauthorized")
            for failure in self.failures:
                if failure.method == method:
                    self.failures.remove(failure)
                    return _error(failure.status, failure.description, failure.retry_after)
            result = self._result(method, params)
            if isinstance(result, web.Response):
                return result
            params["_ok"] = True
            return web.json_response({"ok": True, "result": result})
        finally:
            async with self._changed:
                self._changed.notify_all()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method in ("sendMessage", "sendPhoto"):
            text = str(params.get("text", ""))
            if method == "sendMessage" and not 0 < len(text.encode("utf-16-le")) // 2 <= 4096:
                return _error(400, "Bad Request: message is too long")
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if len(button.get("callback_data", "").encode()) > 64:
                        return _error(400, "Bad Request: BUTTON_DATA_INVALID")
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": text,
            }
        if method in ("answerCallbackQuery", "setWebhook"):
            return True
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Tabik", "username": "TabikBot"}
        return _error(404, "Not Found")


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    params: dict[str, Any] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, str) and key in _JSON_FIELDS:
            params[key] = json.loads(value)
        else:
            params[key] = value
    return params


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


# --------------------------------------------------------------------------- updates

_update_ids = itertools.count(10_000)
_message_ids = itertools.count(1)


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Warga", "language_code": "id"}


def message_update(
    chat_id: int = CHAT_ID,
    *,
    update_id: int | None = None,
    chat_type: str = "private",
    **content: Any,
) -> dict[str, Any]:
    """An update with a message, e.g. ``message_update(text="halo")``."""
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Warga"},
            "from": _user(chat_id),
            **content,
        },
    }


def callback_update(
    data: str, chat_id: int = CHAT_ID, *, update_id: int | None = None
) -> dict[str, Any]:
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "callback_query": {
            "id": f"cbq{next(_message_ids)}",
            "from": _user(chat_id),
            "chat_instance": "42",
            "data": data,
            "message": {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Warga"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Tabik"},
                "text": "Silakan pilih:",
            },
        },
    }


def photo_sizes(file_id: str = "PHOTO") -> list[dict[str, Any]]:
    return [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": "u1",
            "width": 90,
            "height": 60,
            "file_size": 1200,
        },
        {
            "file_id": f"{file_id}-l",
            "file_unique_id": "u3",
            "width": 1280,
            "height": 853,
            "file_size": 98000,
        },
        {
            "file_id": f"{file_id}-m",
            "file_unique_id": "u2",
            "width": 320,
            "height": 213,
            "file_size": 15000,
        },
    ]


def headers(secret: str | None = SECRET_TOKEN) -> dict[str, str]:
    result = {"Content-Type": "application/json"}
    if secret is not None:
        result["X-Telegram-Bot-Api-Secret-Token"] = secret
    return result
