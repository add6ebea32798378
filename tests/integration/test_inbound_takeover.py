"""Two instances on the real PostgreSQL: one dies holding messages, the other answers them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.message_queue import inbound_on, outbox_on
from bot.domain.identity import ChatIdentity
from bot.services.inbound import InboundQueue, IncomingMessage
from channels.inbound import Inbound, InboundWorker, Turn

pytestmark = pytest.mark.postgres


async def test_a_dead_instances_messages_are_taken_over_in_order(
    postgres_schema_factory: Callable[[], str],
) -> None:
    url = postgres_schema_factory()
    migrate.upgrade(url)
    engines = [make_engine(url), make_engine(url)]
    queues = [inbound_on(e, outbox_on(e), lease=1.0) for e in engines]
    residents = [ChatIdentity("whatsapp", f"628140000{n:03d}") for n in range(4)]
    await queues[0].accept(
        [
            IncomingMessage(r, f"wa:{r.account}-{i}", {**_message(r, i)})
            for i in range(3)
            for r in residents
        ]
    )

    hung = asyncio.Event()

    async def dies_mid_turn(inbound: Inbound, attempt: int) -> list[dict[str, Any]]:
        hung.set()
        await asyncio.Event().wait()  # the process is gone: nothing ever completes
        return []

    answered: list[str] = []
    all_answered = asyncio.Event()

    async def answers(inbound: Inbound, attempt: int) -> list[dict[str, Any]]:
        answered.append(inbound.dedupe_key)
        if len(answered) == 12:
            all_answered.set()
        return [{"text": f"jawaban {inbound.text}"}]

    def worker(queue: InboundQueue, turn: Turn, instance: str) -> InboundWorker:
        return InboundWorker(
            queue,
            channel="whatsapp",
            turn=turn,
            apology=list,
            poll_interval=0.05,
            instance=instance,
        )

    dead = worker(queues[0], dies_mid_turn, "host-a:5005")
    alive = worker(queues[1], answers, "host-b:5005")
    stop_dead, stop_alive = asyncio.Event(), asyncio.Event()
    dead_loop = asyncio.create_task(dead.run(stop_dead))
    await asyncio.wait_for(hung.wait(), 10)
    # host-a claimed the first message of every resident, then "died" (no release).
    dead_loop.cancel()
    alive_loop = asyncio.create_task(alive.run(stop_alive))
    try:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(all_answered.wait(), 15)
    finally:
        stop_alive.set()
        await alive_loop
        await alive.drain(1.0)
        for engine in engines:
            engine.dispose()

    assert sorted(answered) == sorted(f"wa:{r.account}-{i}" for i in range(3) for r in residents)
    for r in residents:
        mine = [key for key in answered if key.startswith(f"wa:{r.account}-")]
        assert mine == [f"wa:{r.account}-{i}" for i in range(3)]
    assert await queues[1].counts() == {"done": 12}


def _message(resident: ChatIdentity, n: int) -> dict[str, Any]:
    return {
        "sender_id": resident.sender_id,
        "dedupe_key": f"wa:{resident.account}-{n}",
        "message_id": f"{resident.account}-{n}",
        "text": f"pesan {n}",
    }
