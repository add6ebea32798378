"""Fixtures for the adapter tests: a fake upstream server and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.adapters.upstream.circuit_breaker import CircuitBreaker
from bot.adapters.upstream.http import HttpClientConfig, JsonHttpClient
from bot.adapters.upstream.retry import RetryPolicy
from tests.auxil.fake_upstreams import FakeUpstreams

# Short enough that a timeout test with all retries stays well under a second.
TEST_TIMEOUT = 0.2
TEST_RETRY = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02, max_retry_after=1.0)


class FakeClock:
    """Monotonic time the circuit-breaker tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def upstreams() -> FakeUpstreams:
    fake = FakeUpstreams()
    fake.vehicles["BE 1234 AB"] = {
        "vehicle": "Honda Vario 125 (2021)",
        "amount": 265_000,
        "due_date": "2026-12-15",
        "fine": 0,
        "total": 265_000,
        "source": "Bapenda Provinsi Lampung (uji)",
    }
    fake.vehicles["BE 4321 CD"] = {
        "vehicle": "Toyota Avanza 1.3 G (2018)",
        "amount": 2_450_000,
        "due_date": "2026-08-01",
        "fine": 196_000,
        "total": 2_789_000,
    }
    fake.social_aid["1871015505900001"] = {"registered": True, "programmes": ["PKH", "PBI-JK"]}
    fake.prices[("beras", None)] = {
        "label": "Beras medium",
        "price": 14_000,
        "unit": "kg",
        "date": "2026-11-27",
        "source": "Dinas Ketahanan Pangan (uji)",
    }
    fake.prices[("beras", "Metro")] = {
        "label": "Beras medium",
        "price": 13_750,
        "unit": "kg",
        "date": "2026-11-27",
    }
    return fake


@pytest.fixture
async def base_url(aiohttp_server, upstreams: FakeUpstreams) -> AsyncIterator[str]:
    server = await aiohttp_server(upstreams.app())
    yield str(server.make_url("")).rstrip("/")
    # Let hanging handlers finish before the server is closed.
    upstreams.release.set()


@pytest.fixture
async def make_client(
    base_url: str, clock: FakeClock
) -> AsyncIterator[Callable[..., JsonHttpClient]]:
    """Build JsonHttpClients against the fake server; all are closed after the test."""
    created: list[JsonHttpClient] = []

    def factory(
        service: str = "test",
        *,
        api_key: str | None = None,
        failure_threshold: int = 3,
        reset_timeout: float = 30.0,
        url: str | None = None,
        **kwargs: Any,
    ) -> JsonHttpClient:
        config = HttpClientConfig(
            base_url=url or base_url, api_key=api_key, timeout=TEST_TIMEOUT, retry=TEST_RETRY
        )
        breaker = CircuitBreaker(
            failure_threshold=failure_threshold, reset_timeout=reset_timeout, clock=clock
        )
        client = JsonHttpClient(service, config, breaker=breaker, **kwargs)
        created.append(client)
        return client

    yield factory
    for client in created:
        await client.aclose()


@pytest.fixture
def http_provider(make_client: Callable[..., JsonHttpClient]) -> Callable[[Any, str], Any]:
    """Build a service's HTTP provider (``HttpVehicleTax``, …) on a client of the fake server."""

    def build(provider_class: Any, service: str) -> Any:
        client = make_client(service)
        return provider_class(client.config, client=client)

    return build
