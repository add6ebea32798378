"""Shared channel machinery: splitting, titles, limits, retries, de-duplication, ordering."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.kv import KeyValueStore, MemoryStore, RedisStore
from channels.common import (
    Dispatcher,
    Inbound,
    PayloadRegistry,
    RateLimiter,
    Replies,
    Retry,
    RetryPolicy,
    call_with_retries,
    intent_text,
    numbered_menu,
    phone_to_national,
    shorten,
    split_text,
    utf16_len,
)
from channels.errors import RetryBudgetExhausted
from tests.auxil.services import require_redis, unique_name

# --------------------------------------------------------------------------- splitting


def test_short_text_is_one_message() -> None:
    assert split_text("Baik, Bapak/Ibu.") == ["Baik, Bapak/Ibu."]


def test_long_text_splits_at_paragraphs_within_the_limit() -> None:
    paragraphs = [f"Paragraf {i}. " + "kata " * 150 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    chunks = split_text(text, 4096)
    assert len(chunks) > 1
    assert all(utf16_len(c) <= 4096 for c in chunks)
    # Every chunk ends where a paragraph ended: no paragraph is cut in two.
    assert all(c.endswith("kata") for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())


def test_falls_back_to_lines_then_sentences_then_words() -> None:
    lines = "\n".join(f"Baris {i} berisi keterangan." for i in range(40))
    assert all(c.endswith("keterangan.") for c in split_text(lines, 200))
    sentences = " ".join(f"Kalimat nomor {i} selesai." for i in range(40))
    assert all(c.endswith("selesai.") for c in split_text(sentences, 200))
    words = " ".join(["persyaratan"] * 100)
    chunks = split_text(words, 100)
    assert all(c.endswith("persyaratan") and utf16_len(c) <= 100 for c in chunks)


def test_text_without_any_boundary_is_cut_hard() -> None:
    chunks = split_text("x" * 250, 100)
    assert [len(c) for c in chunks] == [100, 100, 50]


def test_emoji_count_as_two_units_like_the_platforms_count_them() -> None:
    chunks = split_text("🙏" * 60, 100)
    assert [utf16_len(c) for c in chunks] == [100, 20]
    assert "".join(chunks) == "🙏" * 60


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("Cek status tiket", 20) == "Cek status tiket"
    short = shorten("Surat Keterangan Tidak Mampu", 20)
    assert short == "Surat Keterangan…"
    assert len(shorten("Persyaratanadministrasikependudukan", 20)) == 20


# --------------------------------------------------------------------------- message texts


def test_intent_text_has_rasas_entity_syntax() -> None:
    text = intent_text("share_location", {"latitude": -5.43, "longitude": 105.26})
    assert text == '/share_location{"latitude": -5.43, "longitude": 105.26}'
    assert json.loads(text[len("/share_location") :]) == {"latitude": -5.43, "longitude": 105.26}


@pytest.mark.parametrize(
    ("raw", "national"),
    [
        ("+62 812-3456-7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("081234567890", "081234567890"),
        ("+1 202 555 0100", "+12025550100"),
        ("", ""),
    ],
)
def test_phone_numbers_become_national_form(raw: str, national: str) -> None:
    assert phone_to_national(raw) == national


def test_numbered_menu_adds_numbers_unless_the_text_has_them() -> None:
    buttons = [{"title": f"Pilihan {i}", "payload": f"/p{i}"} for i in range(1, 4)]
    menu = numbered_menu("Silakan pilih:", buttons, "Balas dengan nomor.")
    assert "1. Pilihan 1\n2. Pilihan 2\n3. Pilihan 3" in menu
    assert menu.endswith("Balas dengan nomor.")
    numbered = "Menu:\n1. Aduan\n2. Layanan\n3. Status"
    assert numbered_menu(numbered, buttons, "hint") == numbered


def test_replies_cover_every_unsupported_kind(replies: Replies) -> None:
    for kind in ("voice", "audio", "sticker", "video", "document", "reaction"):
        answer = replies.for_unsupported(kind)
        assert answer != replies.for_unsupported("default")
        assert "teks" in answer and "lokasi" in answer and "foto" in answer
    assert replies.for_unsupported("something new") == replies.for_unsupported("default")


def test_replies_file_missing_a_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "replies.yml"
    path.write_text("unsupported:\n  default: Maaf.\nchoose_prompt: Pilih\n", encoding="utf-8")
    with pytest.raises(ValueError, match="processing_failed"):
        Replies.load(path)


# --------------------------------------------------------------------------- rate limiting


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)


async def test_rate_limiter_allows_a_burst_then_spaces_sends() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=1.0, burst=3, clock=clock, sleep=clock.sleep)
    waits = [limiter.reserve("chat-1") for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert limiter.reserve("chat-2") == 0.0  # another chat has its own bucket
    clock.now = 10.0  # the bucket refills while idle, never beyond the burst
    assert [limiter.reserve("chat-1") for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


async def test_rate_limiter_sleeps_for_the_reserved_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=30.0, burst=30, clock=clock, sleep=clock.sleep)
    for _ in range(31):
        await limiter.acquire()
    assert clock.slept == [pytest.approx(1 / 30)]


# --------------------------------------------------------------------------- retries


class Flaky(Exception):
    def __init__(self, after: float | None = None) -> None:
        super().__init__("flaky")
        self.after = after


def _classify(error: BaseException) -> Retry | None:
    return Retry(after=error.after) if isinstance(error, Flaky) else None


async def test_retries_until_success_honouring_the_servers_hint() -> None:
    slept: list[float] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    outcomes: list[BaseException | str] = [Flaky(after=7), Flaky(), "sent"]

    async def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    policy = RetryPolicy(attempts=4, base_delay=0.5, max_delay=2, sleep=sleep)
    assert await call_with_retries("send", call, _classify, policy) == "sent"
    assert slept[0] == 7
    assert 0.75 <= slept[1] <= 1.25  # second backoff: twice base_delay, with jitter


async def test_gives_up_after_the_attempts_with_the_original_error() -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise Flaky()

    async def sleep(_: float) -> None:
        return None

    with pytest.raises(Flaky):
        await call_with_retries("send", call, _classify, RetryPolicy(attempts=3, sleep=sleep))
    assert calls == 3


async def test_errors_that_are_not_transient_are_not_retried() -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise PermissionError("blocked")

    with pytest.raises(PermissionError):
        await call_with_retries("send", call, _classify, RetryPolicy())
    assert calls == 1


async def test_a_wait_longer_than_the_budget_gives_up() -> None:
    async def call() -> None:
        raise Flaky(after=600)

    with pytest.raises(RetryBudgetExhausted) as raised:
        await call_with_retries("send", call, _classify, RetryPolicy(max_retry_after=60))
    assert raised.value.retry_after == 600


# --------------------------------------------------------------------------- payloads


async def test_long_payloads_travel_as_short_ids() -> None:
    registry = PayloadRegistry(MemoryStore(prefix="p:"), namespace="tg")
    assert await registry.encode("/check_status", 64) == "/check_status"
    long_payload = '/inform{"document_type": "akta_kelahiran", "kabupaten_kota": "Tulang Bawang"}'
    data = await registry.encode(long_payload, 64)
    assert len(data.encode()) <= 64 and data.startswith("~")
    assert await registry.decode(data) == long_payload
    assert await registry.decode("~expired") is None


# --------------------------------------------------------------------------- dispatcher


def _inbound(n: int, sender: str = "wa:6281234567890", key: str | None = None) -> Inbound:
    return Inbound(
        sender_id=sender, dedupe_key=key or f"wa:m{n}", message_id=f"m{n}", text=f"pesan {n}"
    )


class Recorder:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.done: list[str] = []
        self.active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}

    async def __call__(self, inbound: Inbound) -> None:
        sender = inbound.sender_id
        self.active[sender] = self.active.get(sender, 0) + 1
        self.max_active[sender] = max(self.max_active.get(sender, 0), self.active[sender])
        for _ in range(3):  # give other tasks every chance to overtake
            await asyncio.sleep(self.delay)
        self.done.append(inbound.text or "")
        self.active[sender] -= 1


async def test_a_message_delivered_twice_is_processed_once() -> None:
    dispatcher = Dispatcher(MemoryStore(prefix="d:"), namespace="wa")
    work = Recorder()
    for _ in range(3):
        dispatcher.submit(_inbound(1), work)
    await dispatcher.drain()
    assert work.done == ["pesan 1"]


async def test_a_burst_from_one_sender_runs_in_order_one_at_a_time() -> None:
    dispatcher = Dispatcher(MemoryStore(prefix="d:"), namespace="wa")
    work = Recorder()
    for n in range(8):
        dispatcher.submit(_inbound(n), work)
    dispatcher.submit(_inbound(99, sender="wa:6289999"), work)
    await dispatcher.drain()
    assert [t for t in work.done if t != "pesan 99"] == [f"pesan {n}" for n in range(8)]
    assert work.max_active["wa:6281234567890"] == 1
    assert len(dispatcher.senders) == 0  # no lock left behind for idle senders


async def test_different_senders_are_processed_concurrently() -> None:
    dispatcher = Dispatcher(MemoryStore(prefix="d:"), namespace="wa")
    started: list[str] = []
    release = asyncio.Event()

    async def work(inbound: Inbound) -> None:
        started.append(inbound.sender_id)
        await release.wait()

    dispatcher.submit(_inbound(1, sender="wa:1"), work)
    dispatcher.submit(_inbound(2, sender="wa:2"), work)
    for _ in range(5):
        await asyncio.sleep(0)
    assert sorted(started) == ["wa:1", "wa:2"]
    release.set()
    await dispatcher.drain()


async def test_a_failing_message_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dispatcher = Dispatcher(MemoryStore(prefix="d:"), namespace="wa")
    done: list[str] = []

    async def work(inbound: Inbound) -> None:
        if inbound.message_id == "m1":
            raise RuntimeError("Rasa exploded")
        done.append(inbound.message_id)

    dispatcher.submit(_inbound(1), work)
    dispatcher.submit(_inbound(2), work)
    await dispatcher.drain()
    assert done == ["m2"]
    assert "Rasa exploded" in caplog.text
    assert "6281234567890" not in caplog.text  # the sender is masked


async def test_processing_that_hangs_is_timed_out(caplog: pytest.LogCaptureFixture) -> None:
    dispatcher = Dispatcher(MemoryStore(prefix="d:"), namespace="wa", processing_timeout=0.05)

    async def work(_: Inbound) -> None:
        await asyncio.Event().wait()

    dispatcher.submit(_inbound(1), work)
    await dispatcher.drain()
    assert "timed out" in caplog.text


async def test_drain_cancels_what_outlives_the_timeout() -> None:
    dispatcher = Dispatcher(MemoryStore(prefix="d:"), namespace="wa")

    async def work(_: Inbound) -> None:
        await asyncio.Event().wait()

    dispatcher.submit(_inbound(1), work)
    await asyncio.sleep(0)
    await dispatcher.drain(timeout=0.05)
    assert len(dispatcher.tasks) == 0


# --------------------------------------------------------------------------- redis


@pytest.fixture
async def redis_store() -> AsyncIterator[KeyValueStore]:
    url = require_redis()
    prefix = unique_name("tabiktest_channels") + ":"
    store = RedisStore(url, prefix=prefix)
    yield store
    from redis import asyncio as aioredis

    client = aioredis.from_url(url)
    keys = [k async for k in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.close()
    await store.close()


@pytest.mark.redis
async def test_redis_dedupe_holds_across_instances(redis_store: KeyValueStore) -> None:
    # Two instances behind a load balancer, each receiving the same redelivered message.
    first = Dispatcher(redis_store, namespace="wa")
    second = Dispatcher(redis_store, namespace="wa")
    work = Recorder()
    for dispatcher in (first, second, first, second):
        dispatcher.submit(_inbound(1), work)
    first.submit(_inbound(2), work)
    await asyncio.gather(first.drain(), second.drain())
    assert work.done == ["pesan 1", "pesan 2"]
    assert await redis_store.ttl("wa:seen:wa:m1") is not None
