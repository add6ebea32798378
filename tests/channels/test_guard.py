"""What the webhooks refuse before believing a request: size, shape, identity, pace."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from channels.guard import (
    FLOOD_REPLY,
    MAX_BODY_BYTES,
    Admission,
    FloodGuard,
    RejectedRequest,
    parse_json,
)
from channels.inbound import Inbound
from channels.rest import RestInput
from channels.whatsapp import WhatsAppInput
from tests.auxil import fake_telegram as tg
from tests.auxil import fake_whatsapp as meta
from tests.auxil.fake_telegram import FakeBotApi
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.sanic_app import ScriptedAgent, serve


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def echo(message: Any) -> list[dict[str, Any]]:
    return [{"text": f"echo: {message.text}"}]


# --------------------------------------------------------------------------- units


def test_json_that_is_not_a_shallow_object_is_a_400() -> None:
    assert parse_json(b'{"entry": [{"changes": [{"value": {"messages": []}}]}]}')
    for body in (b"{oops", b"[1, 2]", b"\xff\xfe", json.dumps(nested(40)).encode()):
        with pytest.raises(RejectedRequest) as refused:
            parse_json(body)
        assert refused.value.status == 400
    # Deeper than the interpreter's recursion limit: still a 400, not a crash.
    with pytest.raises(RejectedRequest):
        parse_json(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)


def test_a_flooding_sender_is_told_once_then_dropped_until_the_window_ends() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=60, clock=lambda: now[0])
    verdicts = [guard.admit("wa:1") for _ in range(6)]
    assert verdicts == [Admission.ALLOW] * 3 + [Admission.WARN, Admission.DROP, Admission.DROP]
    assert guard.admit("wa:2") is Admission.ALLOW  # others are not affected
    now[0] = 61.0
    assert guard.admit("wa:1") is Admission.ALLOW


def test_the_over_limit_message_becomes_the_flood_reply() -> None:
    guard = FloodGuard(limit=1, window=60)
    messages = [
        Inbound(sender_id="tg:1", dedupe_key=f"tg:{i}", message_id=str(i), text="x")
        for i in range(4)
    ]
    kept = guard.screen(messages)
    assert [m.unsupported for m in kept] == [None, FLOOD_REPLY]
    assert kept[1].text is None


# --------------------------------------------------------------------------- WhatsApp


@pytest.fixture
async def wa(
    whatsapp: WhatsAppInput, graph_api: tuple[FakeGraphApi, str]
) -> AsyncIterator[tuple[str, ScriptedAgent, aiohttp.ClientSession, FakeGraphApi]]:
    agent = ScriptedAgent(echo)
    async with serve(whatsapp, agent) as url, aiohttp.ClientSession() as http:
        yield f"{url}/webhook", agent, http, graph_api[0]


async def test_a_3_mb_whatsapp_body_is_413_before_it_is_read(wa: Any) -> None:
    url, agent, http, _ = wa
    big = meta.delivery(meta.text("x" * (3 * MAX_BODY_BYTES)))
    body, headers = meta.signed(big)  # even correctly signed
    async with http.post(url, data=body, headers=headers) as answer:
        assert answer.status == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked
        for _ in range(3 * 1024):
            yield b"x" * 1024

    async with http.post(url, data=chunks(), headers=headers) as answer:
        assert answer.status == 413
    assert agent.handled == []


async def test_deeply_nested_or_unsigned_whatsapp_bodies_are_refused(wa: Any) -> None:
    url, agent, http, _ = wa
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    signed = {"Content-Type": "application/json", "X-Hub-Signature-256": meta.signature(deep)}
    async with http.post(url, data=deep, headers=signed) as answer:
        assert answer.status == 400
    body, headers = meta.signed(meta.delivery(meta.text("halo")))
    async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as answer:
        assert answer.status == 401
    forged = {**headers, "X-Hub-Signature-256": meta.signature(body, "not-the-secret")}
    async with http.post(url, data=body, headers=forged) as answer:
        assert answer.status == 403
    sha1 = {**headers, "X-Hub-Signature-256": "sha1=" + headers["X-Hub-Signature-256"][7:]}
    async with http.post(url, data=body, headers=sha1) as answer:
        assert answer.status == 403
    await asyncio.sleep(0.1)
    assert agent.handled == []


async def test_one_flooding_resident_does_not_starve_another(wa: Any) -> None:
    url, _agent, http, graph = wa
    flood = [meta.text(f"pesan {i}", "6281111111111") for i in range(30)]
    body, headers = meta.signed(meta.delivery(*flood, meta.text("halo", "6282222222222")))
    async with http.post(url, data=body, headers=headers) as answer:
        assert answer.status == 200
    for _ in range(100):
        if len(graph.sent) >= 22:
            break
        await asyncio.sleep(0.05)
    to_flooder = [m["text"]["body"] for m in graph.sent if m["to"] == "6281111111111"]
    to_other = [m["text"]["body"] for m in graph.sent if m["to"] == "6282222222222"]
    assert to_other == ["echo: halo"]
    assert len(to_flooder) == 21  # the first 20 answered, then one polite notice
    assert "terlalu banyak" in to_flooder[-1]


# --------------------------------------------------------------------------- Telegram


async def test_absurd_telegram_updates_are_400_never_5xx(
    make_telegram: Any, bot_api: tuple[FakeBotApi, str]
) -> None:
    channel = make_telegram()
    agent = ScriptedAgent(echo)
    async with serve(channel, agent) as url, aiohttp.ClientSession() as http:
        absurd = [
            tg.message_update(text="halo", date=1e20),
            tg.message_update(text="halo", date="kemarin"),
            tg.message_update(text="halo", chat="bukan objek"),
            {"update_id": "satu", "message": {}},
            {"update_id": True},
            nested(100),
        ]
        for update in absurd:
            async with http.post(
                f"{url}/webhook", data=json.dumps(update), headers=tg.headers()
            ) as answer:
                assert answer.status == 400, update
        async with http.post(
            f"{url}/webhook",
            data=b"{" * (2 * MAX_BODY_BYTES),
            headers=tg.headers(),
        ) as answer:
            assert answer.status == 413
        async with http.post(
            f"{url}/webhook",
            data=json.dumps(tg.message_update(text="halo")),
            headers=tg.headers(secret="forged"),
        ) as answer:
            assert answer.status == 403
    await asyncio.sleep(0.1)
    assert agent.handled == []


# --------------------------------------------------------------------------- REST


@pytest.fixture
async def rest() -> AsyncIterator[tuple[str, ScriptedAgent, aiohttp.ClientSession]]:
    agent = ScriptedAgent(echo)
    async with serve(RestInput(), agent) as url, aiohttp.ClientSession() as http:
        yield f"{url}/webhook", agent, http


async def test_a_rest_sender_is_always_a_rest_identity(rest: Any) -> None:
    url, agent, http = rest
    claimed = {
        "sender": "wa:6281234567890",
        "message": "cek status tiket saya",
        "input_channel": "whatsapp",
        "metadata": {"tabik": {"channel": "whatsapp"}},
    }
    async with http.post(url, json=claimed) as answer:
        assert answer.status == 200
        assert await answer.json() == [
            {"recipient_id": "rest:wa:6281234567890", "text": "echo: cek status tiket saya"}
        ]
    async with http.post(url, json={"sender": "rest:abc", "message": "/check_status"}) as answer:
        assert answer.status == 200
    first, second = agent.handled
    assert (first.sender_id, first.input_channel) == ("rest:wa:6281234567890", "rest")
    assert not first.metadata
    assert second.sender_id == "rest:abc"  # already a REST identity: unchanged


async def test_bad_rest_requests_are_400_or_413(rest: Any) -> None:
    url, agent, http = rest
    for body in (
        b"{oops",
        json.dumps({"sender": ["x"], "message": "halo"}).encode(),
        json.dumps({"sender": "x", "message": {"text": "halo"}}).encode(),
        json.dumps({"sender": "x", "message": "halo", "m": nested(60)}).encode(),
    ):
        async with http.post(url, data=body) as answer:
            assert answer.status == 400, body
    async with http.post(url, data=b" " * (3 * MAX_BODY_BYTES)) as answer:
        assert answer.status == 413
    assert agent.handled == []


async def test_a_declared_huge_body_is_refused_without_waiting_for_it(rest: Any) -> None:
    url, agent, _ = rest
    host_port, path = url.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {50 * MAX_BODY_BYTES}\r\n\r\n".encode()
    )
    await writer.drain()
    # Not a byte of the 50 MB (under Sanic's own 100 MB limit) is sent: the answer
    # must come from the header alone.
    status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    writer.close()
    assert status_line.split()[1] == b"413"
    assert agent.handled == []
