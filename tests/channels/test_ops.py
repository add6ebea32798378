"""``/health``, ``/ready`` and ``/metrics`` on the Rasa server, registered as Rasa does it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot import observability
from channels.ops import OpsInput
from tests.auxil.sanic_app import serve
from tests.auxil.services import require_redis


class Agent:
    def __init__(self, ready: bool) -> None:
        self.ready = ready

    def is_ready(self) -> bool:
        return self.ready


@pytest.fixture
def instance_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    database = f"sqlite:///{tmp_path / 'tabik.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'trackers.db'}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    return database


async def _get(agent: Agent, *paths: str) -> AsyncIterator[tuple[int, str, str]]:
    async with serve(OpsInput(), agent) as url:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        async with aiohttp.ClientSession() as session:
            for path in paths:
                async with session.get(root + path) as answer:
                    yield answer.status, answer.headers.get("Content-Type", ""), await answer.text()


async def fetch(agent: Agent, *paths: str) -> list[tuple[int, str, str]]:
    return [result async for result in _get(agent, *paths)]


async def test_ready_when_model_loaded_and_dependencies_answer(
    instance_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", require_redis())

    (status, _, body), (prefixed, _, _) = await fetch(
        Agent(ready=True), "/ready", "/webhooks/ops/ready"
    )

    assert status == 200 and prefixed == 200
    assert '"database":{"ok":true' in body and '"redis":{"ok":true' in body


async def test_not_ready_until_the_model_is_loaded(instance_env: str) -> None:
    [(status, _, body)] = await fetch(Agent(ready=False), "/ready")

    assert status == 503
    assert '"model":{"ok":false}' in body


async def test_not_ready_quickly_when_redis_is_unreachable(
    instance_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://:secret@127.0.0.1:1/0")
    started = time.monotonic()

    [(status, _, body)] = await fetch(Agent(ready=True), "/ready")

    assert status == 503 and time.monotonic() - started < 5
    assert '"redis":{"ok":false' in body and "ConnectionError" in body
    assert "secret" not in body  # the URL and its password never leave the process


async def test_health_needs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")

    [(status, _, body)] = await fetch(Agent(ready=False), "/health")

    assert status == 200 and "ok" in body


async def test_metrics_in_prometheus_text_format(instance_env: str) -> None:
    observability.record_received("whatsapp")
    observability.observe_turn("whatsapp", 0.4)
    observability.observe_nlu("greet", 0.93)

    [(status, content_type, body), (prefixed, _, _)] = await fetch(
        Agent(ready=True), "/metrics", "/webhooks/ops/metrics"
    )

    assert status == 200 and prefixed == 200 and content_type.startswith("text/plain")
    assert 'tabik_messages_received_total{channel="whatsapp"}' in body
    assert 'tabik_turn_seconds_bucket{channel="whatsapp",le="0.5"}' in body
    assert 'tabik_nlu_confidence_count{intent="greet"}' in body
