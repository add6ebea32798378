"""Rasa's HTTP API for conversations: hand a resident back to the bot after a handoff.

Used by the staff console when an officer closes a handoff. ``RASA_API_TOKEN``,
when set, goes in the ``token`` query parameter as Rasa's ``--auth-token``
expects. Officers read a handoff's messages from the system of record, not from
here (the handoff list makes no call per row).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import aiohttp

from bot.domain.errors import with_message

__all__ = ["HANDOFF_SLOTS", "RasaApiError", "RasaConversations"]

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
# A close waits for the resume; a short outage of Rasa is ridden out, a long one is
# reported to the officer (the handoff then stays open, see HandoffDesk.close).
RESUME_ATTEMPTS = 3
RESUME_BACKOFF_SECONDS = 0.5
# The slots that mark an open handoff in the tracker (domain.yml); cleared on resume.
HANDOFF_SLOTS = ("handoff_reference", "handoff_acknowledged_at")


@with_message("Rasa answered {status} for {path}")
class RasaApiError(Exception):
    status: int
    path: str


class RasaConversations:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        attempts: int = RESUME_ATTEMPTS,
        backoff: float = RESUME_BACKOFF_SECONDS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.attempts = max(1, attempts)
        self.backoff = backoff
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

    async def resume(self, sender_id: str) -> None:
        """Let the bot answer the resident again; raises when Rasa never took it."""
        path = self._path(sender_id, "tracker/events")
        # Clearing the handoff slots is what hands the resident back; "resume" also
        # wakes a conversation paused by an older version of the handoff.
        events = [{"event": "resume"}] + [
            {"event": "slot", "name": name, "value": None} for name in HANDOFF_SLOTS
        ]
        for attempt in range(1, self.attempts + 1):
            try:
                async with self._client().post(
                    self.base_url + path, params=self._params(), json=events
                ) as response:
                    if response.status == 200:
                        return
                    error: Exception = RasaApiError(response.status, path)
            except (aiohttp.ClientError, asyncio.TimeoutError) as failure:
                error = failure
            if attempt == self.attempts:
                raise error
            log.warning("resume attempt %d failed: %s", attempt, error)
            await asyncio.sleep(self.backoff * attempt)
