"""Button payloads too long for a platform travel as short ids (``PayloadRegistry``)."""

from __future__ import annotations

import secrets

from bot.services.key_value import KeyValueStore


class PayloadRegistry:
    """Maps button payloads too long for a platform (Telegram: 64 bytes) to short ids.

    The short id (``~`` + random token) goes on the button; the payload is kept in
    the store with a TTL and looked up when the button is tapped.
    """

    MARK = "~"

    def __init__(self, store: KeyValueStore, *, namespace: str, ttl: float = 14 * 24 * 3600):
        self.store = store
        self.namespace = namespace
        self.ttl = ttl

    def _key(self, token: str) -> str:
        return f"{self.namespace}:payload:{token}"

    async def encode(self, payload: str, max_bytes: int) -> str:
        if len(payload.encode("utf-8")) <= max_bytes and not payload.startswith(self.MARK):
            return payload
        token = secrets.token_urlsafe(9)
        await self.store.set(self._key(token), payload, self.ttl)
        return self.MARK + token

    async def decode(self, data: str) -> str | None:
        """The payload behind a button's data; None when a mapped id has expired."""
        if not data.startswith(self.MARK):
            return data
        return await self.store.get(self._key(data[len(self.MARK) :]))
