"""The outbox sender on a real store: order, resumption, hints, and probing a dead platform."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.domain.identity import ChatIdentity
from bot.services.outbox import OutboxItem
from channels.outbound import OutboxSender, Progress
from channels.queues import ChannelQueues
from channels.retry import Retry, RetryPolicy


class Down(Exception):
    """The platform is down (5xx)."""


class Throttled(Exception):
    def __init__(self, after: float) -> None:
        super().__init__(f"retry after {after}")
        self.after = after


class Blocked(Exception):
    """The resident blocked the bot: no retry can help."""


def classify(error: BaseException) -> Retry | None:
    if isinstance(error, Down):
        return Retry()
    if isinstance(error, Throttled):
        return Retry(after=error.after)
    return None


class Platform:
    """Records what went out; fails as told."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures: list[BaseException] = []
        self.in_flight = 0
        self.max_in_flight_while_down = 0
        self.calls_while_down = 0
        self.down = False

    async def deliver(self, item: OutboxItem, progress: Progress) -> None:
        for index in range(item.parts_sent, len(item.messages)):
            self.in_flight += 1
            try:
                await asyncio.sleep(0.005)
                if self.down:
                    self.calls_while_down += 1
                    self.max_in_flight_while_down = max(
                        self.max_in_flight_while_down, self.in_flight
                    )
                    raise Down("503")
                if self.failures:
                    raise self.failures.pop(0)
                self.sent.append((item.recipient.account, item.messages[index]["text"]))
            finally:
                self.in_flight -= 1
            await progress(index + 1)


def sender(queues: ChannelQueues, platform: Platform) -> OutboxSender:
    return OutboxSender(
        queues.outbox,
        channel="whatsapp",
        deliver=platform.deliver,
        classify=classify,
        policy=RetryPolicy(base_delay=0.02, max_delay=0.1),
        poll_interval=0.01,
        instance="test-host:1",
    )


async def run_until(queues: ChannelQueues, worker: OutboxSender, condition: Any) -> None:
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(500):
            if await condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not reached")
    finally:
        stop.set()
        await loop
        await worker.drain(1.0)


def resident(n: int) -> ChatIdentity:
    return ChatIdentity("whatsapp", f"6281300000{n:02d}")


async def all_settled(queues: ChannelQueues) -> bool:
    counts = await queues.outbox.counts()
    return counts.get("pending", 0) + counts.get("sending", 0) == 0


async def test_a_dead_platform_is_probed_by_one_message_and_nothing_is_lost(
    queues: ChannelQueues,
) -> None:
    platform = Platform()
    for n in range(6):
        for turn in range(2):
            await queues.outbox.enqueue(
                resident(n), [{"text": f"{n}-{turn}"}], kind="reply", key=f"r:{n}:{turn}"
            )
    platform.down = True
    worker = sender(queues, platform)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(stop))
    # The first wave (one message per resident) finds the platform down ...
    for _ in range(500):
        if platform.calls_while_down >= 6 and platform.in_flight == 0:
            break
        await asyncio.sleep(0.01)
    first_wave = platform.calls_while_down
    platform.max_in_flight_while_down = 0
    await asyncio.sleep(0.4)
    # ... then one message at a time probes it, after each pause.
    assert platform.max_in_flight_while_down == 1
    assert platform.calls_while_down > first_wave
    platform.down = False
    for _ in range(500):
        if await all_settled(queues):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await loop
    await worker.drain(1.0)

    # The first wave found the platform down; after it only one message probed at a time.
    assert len(platform.sent) == 12
    for n in range(6):
        mine = [text for account, text in platform.sent if account == resident(n).account]
        assert mine == [f"{n}-0", f"{n}-1"]


async def test_a_retry_resumes_after_the_parts_already_sent(queues: ChannelQueues) -> None:
    platform = Platform()
    messages = [{"text": "satu"}, {"text": "dua"}, {"text": "tiga"}]
    await queues.outbox.enqueue(resident(1), messages, kind="reply", key="r:1")
    calls = {"n": 0}
    real = platform.deliver

    async def fail_once_on_the_second(item: OutboxItem, progress: Progress) -> None:
        calls["n"] += 1
        if calls["n"] == 1:

            async def stop_after_one(parts: int) -> None:
                await progress(parts)
                if parts == 1:
                    raise Down("connection reset")

            await real(item, stop_after_one)
        else:
            await real(item, progress)

    worker = sender(queues, platform)
    worker.deliver = fail_once_on_the_second
    await run_until(queues, worker, lambda: all_settled(queues))
    assert [text for _, text in platform.sent] == ["satu", "dua", "tiga"]
    [row] = await queues.outbox.list(statuses=["sent"])
    assert row.attempts == 2 and row.parts_sent == 3


async def test_the_platforms_hint_decides_the_next_try(queues: ChannelQueues) -> None:
    platform = Platform()
    platform.failures = [Throttled(after=3600.0)]
    await queues.outbox.enqueue(resident(1), [{"text": "halo"}], kind="reply", key="r:1")
    worker = sender(queues, platform)

    async def retried() -> bool:
        return any(row.attempts for row in await queues.outbox.list(statuses=["pending"]))

    await run_until(queues, worker, retried)
    [row] = await queues.outbox.list(statuses=["pending"])
    assert row.next_attempt_at is not None
    wait = (row.next_attempt_at - datetime.now(timezone.utc)).total_seconds()
    assert 3500 < wait <= 3600
    assert "retry after 3600" in (row.last_error or "")


async def test_an_error_no_retry_can_cure_fails_the_row_and_the_next_goes_on(
    queues: ChannelQueues,
) -> None:
    platform = Platform()
    platform.failures = [Blocked("bot was blocked by the user")]
    await queues.outbox.enqueue(resident(1), [{"text": "satu"}], kind="reply", key="r:1")
    await queues.outbox.enqueue(resident(1), [{"text": "dua"}], kind="reply", key="r:2")
    await run_until(queues, sender(queues, platform), lambda: all_settled(queues))
    assert [text for _, text in platform.sent] == ["dua"]
    [failed] = await queues.outbox.list(statuses=["failed"])
    assert failed.dedup_key == "r:1" and "blocked" in (failed.last_error or "")


@pytest.mark.parametrize("concurrency", [1, 16])
async def test_one_residents_rows_never_overtake_each_other(
    queues: ChannelQueues, concurrency: int
) -> None:
    platform = Platform()
    for turn in range(5):
        await queues.outbox.enqueue(
            resident(1), [{"text": str(turn)}], kind="reply", key=f"r:{turn}"
        )
    worker = sender(queues, platform)
    worker.concurrency = concurrency
    await run_until(queues, worker, lambda: all_settled(queues))
    assert [text for _, text in platform.sent] == ["0", "1", "2", "3", "4"]
