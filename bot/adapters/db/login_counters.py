"""Counters with an expiry in the system of record: the login throttle's fallback when
the key-value store (Redis) is unreachable, so every instance still counts together.

The same calls as :class:`bot.adapters.kv.KeyValueStore` for counters (``get``,
``ttl``, ``incr``, ``delete``); each runs in its own short transaction in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from bot.adapters.db.tables_staff import staff_login_counters as counters

__all__ = ["DatabaseCounters"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DatabaseCounters:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.engine = engine
        self.clock = clock

    def _live(self, connection: Connection, key: str, now: datetime) -> tuple[int, datetime] | None:
        row = connection.execute(
            select(counters.c.count, counters.c.expires_at).where(
                counters.c.key == key, counters.c.expires_at > now
            )
        ).first()
        return None if row is None else (int(row.count), row.expires_at)

    async def get(self, key: str) -> str | None:
        def read() -> str | None:
            with self.engine.connect() as connection:
                found = self._live(connection, key, self.clock())
            return None if found is None else str(found[0])

        return await asyncio.to_thread(read)

    async def ttl(self, key: str) -> float | None:
        def read() -> float | None:
            now = self.clock()
            with self.engine.connect() as connection:
                found = self._live(connection, key, now)
            return None if found is None else max(0.0, (found[1] - now).total_seconds())

        return await asyncio.to_thread(read)

    async def incr(self, key: str, ttl: float) -> int:
        """One more; an expired count starts again at 1 with a new expiry (atomic upsert)."""

        def write() -> int:
            now = self.clock()
            expires = now + timedelta(seconds=ttl)
            with self.engine.begin() as connection:
                dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
                statement = dialect.insert(counters).values(key=key, count=1, expires_at=expires)
                expired = counters.c.expires_at <= now
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["key"],
                        set_={
                            "count": case((expired, 1), else_=counters.c.count + 1),
                            "expires_at": case((expired, expires), else_=counters.c.expires_at),
                        },
                    )
                )
                count = connection.execute(
                    select(counters.c.count).where(counters.c.key == key)
                ).scalar_one()
                # Counts of the past go as new ones come: the table stays small.
                connection.execute(delete(counters).where(counters.c.expires_at <= now))
            return int(count)

        return await asyncio.to_thread(write)

    async def delete(self, key: str) -> None:
        def write() -> None:
            with self.engine.begin() as connection:
                connection.execute(delete(counters).where(counters.c.key == key))

        await asyncio.to_thread(write)

    async def close(self) -> None:
        """The engine belongs to the caller."""
