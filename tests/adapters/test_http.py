"""The shared client machinery against a local fake upstream."""

from __future__ import annotations

import socket

import pytest

from bot.adapters.upstream.circuit_breaker import CircuitBreaker
from bot.adapters.upstream.retry import RetryPolicy
from bot.domain.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamRejected,
    UpstreamUnavailable,
)
from tests.auxil.fake_upstreams import (
    VEHICLE_TAX_PATH,
    garbage,
    hang,
    http_error,
    wrong_schema,
)

PLATE = {"plate": "BE 1234 AB"}


async def test_success_returns_parsed_json(make_client, upstreams):
    client = make_client()
    reply = await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert reply.status == 200
    assert reply.body["amount"] == 265_000


async def test_session_is_created_on_first_use_and_closed_by_aclose(make_client):
    client = make_client()
    assert client._session is None
    await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    session = client._session
    assert session is not None and not session.closed
    await client.aclose()
    assert session.closed


async def test_500_then_success_is_retried(make_client, upstreams):
    upstreams.fail_next(http_error(500))
    reply = await make_client().request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert reply.status == 200
    assert upstreams.count(VEHICLE_TAX_PATH) == 2


async def test_gives_up_after_two_retries(make_client, upstreams):
    upstreams.fail_next(http_error(503), http_error(502), http_error(500), http_error(500))
    with pytest.raises(UpstreamUnavailable) as caught:
        await make_client("vehicle_tax").request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert caught.value.service == "vehicle_tax"
    assert caught.value.status == 500
    assert caught.value.attempts == 3
    assert upstreams.count(VEHICLE_TAX_PATH) == 3


async def test_timeout_is_retried_then_unavailable(make_client, upstreams):
    upstreams.fail_next(hang(1.0), hang(1.0), hang(1.0))
    with pytest.raises(UpstreamUnavailable) as caught:
        await make_client().request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert "no answer within 0.2s" in caught.value.reason
    assert upstreams.count(VEHICLE_TAX_PATH) == 3


async def test_timeout_then_success(make_client, upstreams):
    upstreams.fail_next(hang(1.0))
    reply = await make_client().request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert reply.body["vehicle"].startswith("Honda")


async def test_connection_refused_is_unavailable():
    from bot.adapters.upstream.http import HttpClientConfig, JsonHttpClient

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    client = JsonHttpClient(
        "test",
        HttpClientConfig(
            base_url=f"http://127.0.0.1:{port}",
            timeout=0.2,
            retry=RetryPolicy(base_delay=0.01, max_delay=0.02),
        ),
    )
    try:
        with pytest.raises(UpstreamUnavailable) as caught:
            await client.request_json("GET", VEHICLE_TAX_PATH)
        assert caught.value.reason.startswith("connection error")
        assert caught.value.attempts == 3
    finally:
        await client.aclose()


async def test_retry_after_is_honoured(make_client, upstreams):
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    upstreams.fail_next(http_error(429, retry_after="1"))
    reply = await make_client(sleep=fake_sleep).request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert reply.status == 200
    assert slept == [1.0]


async def test_retry_after_longer_than_a_resident_waits_gives_up_at_once(make_client, upstreams):
    upstreams.fail_next(http_error(503, retry_after="120"))
    with pytest.raises(UpstreamUnavailable) as caught:
        await make_client().request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert caught.value.retry_after == 120.0
    assert upstreams.count(VEHICLE_TAX_PATH) == 1


async def test_garbage_json_is_a_bad_response_and_not_retried(make_client, upstreams):
    upstreams.fail_next(garbage())
    with pytest.raises(UpstreamBadResponse) as caught:
        await make_client().request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert "not JSON" in caught.value.reason
    assert upstreams.count(VEHICLE_TAX_PATH) == 1


async def test_bearer_key_is_sent_and_a_wrong_key_is_rejected(make_client, upstreams):
    upstreams.api_key = "s3cret"
    reply = await make_client(api_key="s3cret").request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert reply.status == 200
    assert upstreams.requests[-1].headers["Authorization"] == "Bearer s3cret"
    with pytest.raises(UpstreamRejected) as caught:
        await make_client(api_key="wrong").request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert caught.value.status == 401


async def test_rejections_do_not_open_the_circuit(make_client, upstreams):
    upstreams.api_key = "s3cret"
    client = make_client(failure_threshold=2)
    for _ in range(3):
        with pytest.raises(UpstreamRejected):
            await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert client.breaker.state == CircuitBreaker.CLOSED


async def test_circuit_opens_after_repeated_failures_and_recovers(make_client, upstreams, clock):
    client = make_client(failure_threshold=2, reset_timeout=30.0)
    upstreams.fail_next(*[http_error(500)] * 6)  # two lookups, three attempts each
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert client.breaker.state == CircuitBreaker.OPEN
    sent = upstreams.count(VEHICLE_TAX_PATH)

    # Open: answered at once, the upstream is left alone.
    with pytest.raises(CircuitOpen) as caught:
        await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert caught.value.retry_after == pytest.approx(30.0)
    assert upstreams.count(VEHICLE_TAX_PATH) == sent

    # After the cool-down one probe goes through; its success closes the circuit.
    clock.advance(31)
    assert client.breaker.state == CircuitBreaker.HALF_OPEN
    reply = await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert reply.status == 200
    assert client.breaker.state == CircuitBreaker.CLOSED


async def test_failed_probe_reopens_the_circuit(make_client, upstreams, clock):
    client = make_client(failure_threshold=1, reset_timeout=10.0)
    upstreams.fail_next(garbage())
    with pytest.raises(UpstreamBadResponse):
        await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert client.breaker.state == CircuitBreaker.OPEN
    clock.advance(11)
    upstreams.fail_next(garbage())
    with pytest.raises(UpstreamBadResponse):
        await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)
    assert client.breaker.state == CircuitBreaker.OPEN
    with pytest.raises(CircuitOpen):
        await client.request_json("GET", VEHICLE_TAX_PATH, params=PLATE)


TAX = {"vehicle": "X", "amount": 1, "due_date": "2026-01-01", "fine": 0, "total": 1}


async def test_wrong_schema_counts_against_the_upstream(make_client, upstreams):
    from bot.adapters.upstream.schema import VehicleTaxPayload, parse_payload

    client = make_client(failure_threshold=2)

    def parse(reply):
        return parse_payload("test", VehicleTaxPayload, reply.body)

    upstreams.fail_next(
        wrong_schema({**TAX, "amount": "banyak"}), wrong_schema({**TAX, "amount": 1.5})
    )
    for _ in range(2):
        with pytest.raises(UpstreamBadResponse, match="amount"):
            await client.request("GET", VEHICLE_TAX_PATH, parse, params=PLATE)
    assert client.breaker.state == CircuitBreaker.OPEN
