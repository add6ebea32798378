"""Rasa's HTTP API for conversations: read a tracker's messages, resume a paused one.

Used by the staff console for live handoffs. ``RASA_API_TOKEN``, when set, goes
in the ``token`` query parameter as Rasa's ``--auth-token`` expects.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.domain.errors import with_message

__all__ = ["ConversationMessage", "RasaApiError", "RasaConversations"]

TIMEOUT_SECONDS = 10.0

ConversationMessage = tuple[str, str, datetime]  # (role "user"|"bot", text, at)


@with_message("Rasa answered {status} for {path}")
class RasaApiError(Exception):
    status: int
    path: str


class RasaConversations:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    @staticmethod
    def _path(sender_id: str, suffix: str) -> str:
        return f"/conversations/{quote(sender_id, safe='')}/{suffix}"

    async def messages(self, sender_id: str, *, since: datetime) -> list[ConversationMessage]:
        """The resident's and the bot's messages at or after ``since``, oldest first."""
        path = self._path(sender_id, "tracker")
        async with self._client().get(
            self.base_url + path, params={**self._params(), "include_events": "ALL"}
        ) as response:
            if response.status != 200:
                raise RasaApiError(response.status, path)
            tracker: dict[str, Any] = await response.json()
        cutoff = since.timestamp()
        found: list[ConversationMessage] = []
        for event in tracker.get("events") or []:
            kind, text = event.get("event"), event.get("text")
            stamp = float(event.get("timestamp") or 0)
            if kind in ("user", "bot") and text and stamp >= cutoff:
                at = datetime.fromtimestamp(stamp, timezone.utc)
                found.append((str(kind), str(text), at))
        return found

    async def resume(self, sender_id: str) -> None:
        """Let the bot answer the resident again."""
        path = self._path(sender_id, "tracker/events")
        # Paused, Rasa predicted nothing after the handoff action; without the
        # listen the policies would see an unfinished turn and answer nothing.
        events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        async with self._client().post(
            self.base_url + path, params=self._params(), json=events
        ) as response:
            if response.status != 200:
                raise RasaApiError(response.status, path)
