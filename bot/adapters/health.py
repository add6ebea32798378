"""Readiness probes: can this process reach what it needs (databases, Redis) right now?

Each probe is bounded by a timeout, so a hung dependency makes ``/ready``
answer "not ready" quickly instead of hanging the load balancer's check.
Failures are reported by kind (the exception's class), never with URLs or
credentials.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from bot.adapters.db.engine import make_engine

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

Probe = Callable[[], Awaitable[None]]
DEFAULT_TIMEOUT = 2.0


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    seconds: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"ok": self.ok, "ms": round(self.seconds * 1000, 1)}
        if self.error:
            result["error"] = self.error
        return result


class DatabaseProbe:
    """``SELECT 1`` on its own small engine (made on first use, kept for the next checks)."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._engine: Engine | None = None

    async def __call__(self) -> None:
        def select_one() -> None:
            if self._engine is None:
                options: dict[str, Any] = {"pool_size": 1, "max_overflow": 0}
                if self.url.startswith("sqlite"):
                    options = {}
                else:
                    options["connect_args"] = {"connect_timeout": max(1, int(self.timeout))}
                self._engine = make_engine(self.url, **options)
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        await asyncio.to_thread(select_one)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class RedisProbe:
    """``PING`` with socket timeouts."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout

    async def __call__(self) -> None:
        from redis import asyncio as aioredis

        client = aioredis.from_url(
            self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout
        )
        try:
            await client.ping()
        finally:
            await client.close()


async def run_probe(name: str, probe: Probe, timeout: float = DEFAULT_TIMEOUT) -> ProbeResult:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), timeout)
    except asyncio.TimeoutError:
        return ProbeResult(name, False, time.perf_counter() - started, "timeout")
    except Exception as error:  # any failure means "not ready"; its kind is reported
        return ProbeResult(name, False, time.perf_counter() - started, type(error).__name__)
    return ProbeResult(name, True, time.perf_counter() - started)


async def readiness(
    probes: Mapping[str, Probe], timeout: float = DEFAULT_TIMEOUT
) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Runs every probe at once; ready when all pass. Returns (ready, per-probe details)."""
    results = await asyncio.gather(
        *(run_probe(name, probe, timeout) for name, probe in probes.items())
    )
    return all(r.ok for r in results), {r.name: r.as_dict() for r in results}


def dependency_probes(
    *, database_url: str, tracker_store_url: str, redis_url: str | None
) -> dict[str, Probe]:
    """The shared dependencies of a Tabik instance, from its settings."""
    probes: dict[str, Probe] = {"database": DatabaseProbe(database_url)}
    if tracker_store_url != database_url:
        probes["tracker_store"] = DatabaseProbe(tracker_store_url)
    if redis_url:
        probes["redis"] = RedisProbe(redis_url)
    return probes
