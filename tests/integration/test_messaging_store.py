"""The inbound store and the outbox on the real PostgreSQL and on SQLite.

Each test gets a freshly migrated database, since claims look at every row.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.message_queue import inbound_on, outbox_on
from bot.domain.identity import ChatIdentity
from bot.services.inbound import InboundQueue, IncomingMessage, UnstorableMessage
from bot.services.outbox import Outbox, UnknownOutboxKind
from tests.auxil.outbox import Clock

ANI = ChatIdentity("whatsapp", "6281200000001")
BUDI = ChatIdentity("whatsapp", "6281200000002")


@pytest.fixture(params=["postgresql", "sqlite"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_schema_factory")()
    else:
        url = f"sqlite:///{tmp_path / 'messaging.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def outbox(fresh_engine: Engine, clock: Clock) -> Outbox:
    return outbox_on(fresh_engine, clock=clock, lease=60)


@pytest.fixture
def inbound(fresh_engine: Engine, outbox: Outbox, clock: Clock) -> InboundQueue:
    return inbound_on(fresh_engine, outbox, clock=clock, lease=30)


def text(sender: ChatIdentity, platform_id: str, body: str) -> IncomingMessage:
    return IncomingMessage(sender=sender, platform_id=platform_id, message={"text": body})


async def test_a_redelivered_message_is_stored_once(inbound: InboundQueue) -> None:
    first = await inbound.accept([text(ANI, "wamid.1", "halo")])
    again = await inbound.accept([text(ANI, "wamid.1", "halo"), text(ANI, "wamid.2", "lagi")])
    assert len(first) == 1 and len(again) == 1
    assert (await inbound.counts()) == {"pending": 2}


async def test_one_resident_at_a_time_in_the_order_stored(inbound: InboundQueue) -> None:
    await inbound.accept([text(ANI, "a1", "satu"), text(ANI, "a2", "dua"), text(BUDI, "b1", "x")])
    claimed = await inbound.claim(channel="whatsapp", worker="w1")
    assert [m.platform_id for m in claimed] == ["a1", "b1"]
    # Ani's second message waits, for this worker and any other, until the first is done.
    assert await inbound.claim(channel="whatsapp", worker="w2") == []
    assert await inbound.complete(claimed[0], worker="w1", replies=[{"text": "Halo"}])
    nxt = await inbound.claim(channel="whatsapp", worker="w2")
    assert [m.platform_id for m in nxt] == ["a2"]


async def test_completing_hands_the_replies_to_the_outbox_once(
    inbound: InboundQueue, outbox: Outbox
) -> None:
    await inbound.accept([text(ANI, "wamid.9", "cek tiket")])
    (message,) = await inbound.claim(channel="whatsapp", worker="w1")
    replies = [{"text": "Silakan kirim nomor tiket."}, {"text": "Pilih:", "buttons": []}]
    assert await inbound.complete(message, worker="w1", replies=replies)
    # A second completion (a re-run turn) neither settles again nor doubles the replies.
    assert not await inbound.complete(message, worker="w1", replies=replies)
    (item,) = await outbox.list()
    assert item.kind == "reply" and item.recipient == ANI
    assert list(item.messages) == replies and item.status == "pending"
    assert (await inbound.counts()) == {"done": 1}


async def test_a_dead_workers_message_is_taken_over_after_its_lease(
    inbound: InboundQueue, clock: Clock
) -> None:
    await inbound.accept([text(ANI, "m1", "halo")])
    (held,) = await inbound.claim(channel="whatsapp", worker="dead/1")
    assert await inbound.claim(channel="whatsapp", worker="alive/1") == []
    clock.advance(seconds=31)
    (taken,) = await inbound.claim(channel="whatsapp", worker="alive/1")
    assert taken.id == held.id and taken.attempts == 2
    # The dead worker, if it comes back, cannot settle what it lost.
    assert not await inbound.complete(held, worker="dead/1", replies=[{"text": "x"}])
    assert await inbound.complete(taken, worker="alive/1", replies=[{"text": "y"}])


async def test_a_renewed_lease_keeps_the_message(inbound: InboundQueue, clock: Clock) -> None:
    await inbound.accept([text(ANI, "m1", "halo")])
    (held,) = await inbound.claim(channel="whatsapp", worker="w1")
    clock.advance(seconds=20)
    assert await inbound.renew([held.id], worker="w1") == 1
    clock.advance(seconds=20)
    assert await inbound.claim(channel="whatsapp", worker="w2") == []


async def test_a_restarted_instance_takes_its_own_claims_back_at_once(
    inbound: InboundQueue,
) -> None:
    await inbound.accept([text(ANI, "m1", "halo"), text(BUDI, "m2", "halo")])
    await inbound.claim(channel="whatsapp", worker="host:5005/boot1")
    assert await inbound.release("host:5005/") == 2
    again = await inbound.claim(channel="whatsapp", worker="host:5005/boot2")
    assert [m.platform_id for m in again] == ["m1", "m2"]


async def test_a_failed_turn_is_settled_with_its_apology(
    inbound: InboundQueue, outbox: Outbox
) -> None:
    await inbound.accept([text(ANI, "m1", "halo")])
    (message,) = await inbound.claim(channel="whatsapp", worker="w1")
    apology = {"text": "Maaf, sistem sedang sibuk."}
    assert await inbound.complete(
        message, worker="w1", replies=[apology], error=TimeoutError("turn timed out")
    )
    assert (await inbound.counts()) == {"failed": 1}
    assert [list(i.messages) for i in await outbox.list()] == [[apology]]


async def test_storing_opens_the_whatsapp_window(
    inbound: InboundQueue, outbox: Outbox, clock: Clock
) -> None:
    assert not await outbox.window_open(ANI)
    await inbound.accept([text(ANI, "m1", "halo")])
    assert await outbox.window_open(ANI)
    clock.advance(hours=23, minutes=56)
    assert not await outbox.window_open(ANI)  # closing soon: templates from here on


async def test_enqueue_is_idempotent_on_its_key(outbox: Outbox) -> None:
    first = await outbox.enqueue(ANI, [{"text": "Tiket diproses."}], kind="notification", key="n:1")
    again = await outbox.enqueue(ANI, [{"text": "lain"}], kind="notification", key="n:1")
    assert first == again
    (item,) = await outbox.list()
    assert item.messages == ({"text": "Tiket diproses."},)
    with pytest.raises(UnknownOutboxKind):
        await outbox.enqueue(ANI, [{"text": "x"}], kind="promo", key="p:1")


async def test_a_recipient_without_a_sender_is_recorded_as_failed(outbox: Outbox) -> None:
    await outbox.enqueue(ChatIdentity("rest", "tester"), [{"text": "x"}], kind="staff", key="s:1")
    (item,) = await outbox.list(statuses=["failed"])
    assert "rest" in (item.last_error or "")
    assert await outbox.claim(channel="rest", worker="w1") == []


async def test_outbox_rows_of_one_resident_go_in_order_even_across_retries(
    outbox: Outbox, clock: Clock
) -> None:
    await outbox.enqueue(ANI, [{"text": "1"}], kind="reply", key="r:1")
    await outbox.enqueue(ANI, [{"text": "2"}], kind="reply", key="r:2")
    await outbox.enqueue(BUDI, [{"text": "b"}], kind="reply", key="r:3")
    first = await outbox.claim(channel="whatsapp", worker="w1")
    assert [i.dedup_key for i in first] == ["r:1", "r:3"]
    status = await outbox.mark_retry(
        first[0], worker="w1", error="HTTP 503", delay=10, parts_sent=0
    )
    assert status == "pending"
    await outbox.mark_sent(first[1], worker="w1", parts_sent=1)
    # Ani's second reply waits behind her first while it backs off.
    assert await outbox.claim(channel="whatsapp", worker="w1") == []
    clock.advance(seconds=11)
    again = await outbox.claim(channel="whatsapp", worker="w1")
    assert [i.dedup_key for i in again] == ["r:1"] and again[0].attempts == 1
    await outbox.mark_sent(again[0], worker="w1", parts_sent=1)
    assert [i.dedup_key for i in await outbox.claim(channel="whatsapp", worker="w1")] == ["r:2"]


async def test_rows_are_kept_for_a_day_then_failed_and_resent_on_request(
    outbox: Outbox, clock: Clock
) -> None:
    await outbox.enqueue(ANI, [{"text": "1"}], kind="reply", key="r:1")
    for _ in range(3):
        (item,) = await outbox.claim(channel="whatsapp", worker="w1")
        clock.advance(hours=9)
        await outbox.mark_retry(item, worker="w1", error="HTTP 503", delay=60, parts_sent=0)
        clock.advance(minutes=2)
    assert [i.status for i in await outbox.list()] == ["failed"]
    assert await outbox.retry() == 1
    (item,) = await outbox.claim(channel="whatsapp", worker="w1")
    assert item.attempts == 0 and item.dedup_key == "r:1"


async def test_claims_of_a_stopping_sender_go_back(outbox: Outbox) -> None:
    await outbox.enqueue(ANI, [{"text": "1"}], kind="reply", key="r:1")
    await outbox.claim(channel="whatsapp", worker="host:1/a")
    assert await outbox.release("host:1/") == 1
    assert len(await outbox.claim(channel="whatsapp", worker="host:1/b")) == 1


# --------------------------------------------------------------------------- concurrency


def _worker(
    engine: Engine,
    name: str,
    processed: list[tuple[str, str, str]],
    busy: dict[str, str],
    overlaps: list[str],
    lock: threading.Lock,
    expected: int,
) -> None:
    """Claims and completes until every message is done; records what it processed."""

    async def run() -> None:
        queue = inbound_on(engine, outbox_on(engine), lease=30)
        idle_rounds = 0
        while idle_rounds < 50:
            claimed = await queue.claim(channel="whatsapp", worker=name, limit=3)
            if not claimed:
                with lock:
                    if len(processed) >= expected:
                        return
                idle_rounds += 1
                await asyncio.sleep(0.02)
                continue
            idle_rounds = 0
            for message in claimed:
                sender = message.sender.sender_id
                with lock:
                    if sender in busy:
                        overlaps.append(sender)
                    busy[sender] = name
                    processed.append((sender, message.platform_id, name))
                await asyncio.sleep(0.005)  # the turn
                with lock:
                    busy.pop(sender, None)
                assert await queue.complete(message, worker=name, replies=[{"text": "ok"}])

    asyncio.run(run())


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_double_process_and_keep_each_residents_order(
    postgres_schema_factory: Callable[[], str],
) -> None:
    url = postgres_schema_factory()
    migrate.upgrade(url)
    engines = [make_engine(url), make_engine(url)]
    residents = [ChatIdentity("whatsapp", f"62812{n:08d}") for n in range(12)]
    queue = inbound_on(engines[0], outbox_on(engines[0]))
    messages = [text(r, f"{r.account}-{i}", f"pesan {i}") for i in range(5) for r in residents]
    asyncio.run(queue.accept(messages))

    processed: list[tuple[str, str, str]] = []
    busy: dict[str, str] = {}
    overlaps: list[str] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=_worker,
            args=(engine, f"w{n}", processed, busy, overlaps, lock, len(messages)),
        )
        for n, engine in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()

    ids = [platform_id for _, platform_id, _ in processed]
    assert sorted(ids) == sorted(m.platform_id for m in messages)  # each exactly once
    assert overlaps == []  # never two of one resident's messages at the same time
    order: dict[str, list[int]] = defaultdict(list)
    for sender, platform_id, _ in processed:
        order[sender].append(int(platform_id.rsplit("-", 1)[1]))
    assert all(seq == sorted(seq) for seq in order.values())
    assert {worker for _, _, worker in processed} == {"w0", "w1"}  # both took part
    assert asyncio.run(queue.counts()) == {"done": len(messages)}


def test_timestamps_stay_aware(outbox: Outbox, clock: Clock) -> None:
    async def run() -> None:
        await outbox.enqueue(ANI, [{"text": "1"}], kind="reply", key="r:1")
        (item,) = await outbox.list()
        assert item.created_at == clock.now and item.created_at.utcoffset() == timedelta(0)

    asyncio.run(run())


async def test_purging_keeps_what_is_open_failed_or_recent(
    inbound: InboundQueue, outbox: Outbox, clock: Clock
) -> None:
    await inbound.accept([text(ANI, "old", "halo"), text(BUDI, "stuck", "halo")])
    (old, _) = await inbound.claim(channel="whatsapp", worker="w1")
    await inbound.complete(old, worker="w1", replies=[{"text": "Halo"}])
    (sent,) = await outbox.claim(channel="whatsapp", worker="w1")
    await outbox.mark_sent(sent, worker="w1", parts_sent=1)
    await outbox.enqueue(BUDI, [{"text": "x"}], kind="staff", key="s:1")
    (failed,) = await outbox.claim(channel="whatsapp", worker="w1")
    await outbox.mark_failed(failed, worker="w1", error="blocked", parts_sent=0)
    clock.advance(days=9)
    await inbound.accept([text(ANI, "new", "lagi")])

    assert await inbound.purge(timedelta(days=8)) == 1
    assert await outbox.purge(timedelta(days=8)) == 1
    assert await inbound.counts() == {"processing": 1, "pending": 1}
    assert [i.dedup_key for i in await outbox.list()] == ["s:1"]


# --- what PostgreSQL refuses and SQLite keeps; edits (issue 16) --------------------------


async def test_nan_nul_and_surrogates_in_a_message_are_stored_on_both_databases(
    inbound: InboundQueue,
) -> None:
    odd = IncomingMessage(
        sender=ANI,
        platform_id="wamid.odd",
        message={"text": "a\x00b\ud800", "sent_at": float("nan"), "n": [float("-inf")]},
    )
    assert len(await inbound.accept([odd])) == 1
    (claimed,) = await inbound.claim(channel="whatsapp", worker="w1")
    assert claimed.message == {"text": "ab?", "sent_at": None, "n": [None]}


@pytest.mark.parametrize(
    "odd",
    [
        IncomingMessage(ChatIdentity("whatsapp", "6" * 129), "wamid.long", {"text": "x"}),
        IncomingMessage(ANI, "wa:" + "9" * 200, {"text": "x"}),
        IncomingMessage(ANI, "wa:x\udfff", {"text": "x"}),
        IncomingMessage(ANI, "wa:a\x00b", {"text": "x"}),
    ],
)
async def test_ids_the_columns_cannot_hold_are_refused_before_the_database(
    inbound: InboundQueue, odd: IncomingMessage
) -> None:
    with pytest.raises(UnstorableMessage):
        await inbound.accept([odd])
    assert await inbound.counts() == {}


async def test_an_edit_rewrites_its_waiting_original_on_both_databases(
    inbound: InboundQueue,
) -> None:
    await inbound.accept([text(ANI, "wamid.o", "lapor jalan di Natra"), text(ANI, "wamid.n", "x")])
    edit = IncomingMessage(ANI, "wamid.e", {"text": "lapor jalan di Natar"}, amends="wamid.o")
    assert await inbound.accept([edit]) == []
    assert await inbound.accept([edit]) == []  # its redelivery
    claimed = await inbound.claim(channel="whatsapp", worker="w1")
    assert [(m.platform_id, m.message["text"]) for m in claimed] == [
        ("wamid.o", "lapor jalan di Natar")
    ]
    late = IncomingMessage(ANI, "wamid.e2", {"text": "sudah diambil"}, amends="wamid.o")
    assert len(await inbound.accept([late])) == 1  # taken already: a new message
