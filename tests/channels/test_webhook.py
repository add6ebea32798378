"""Shared channel machinery: splitting, titles, limits, retries, and the inbound worker
(de-duplication, ordering, timeouts, apologies) on a real store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.kv import MemoryStore
from bot.services.inbound import InboundQueue
from channels.errors import RetryBudgetExhausted
from channels.inbound import Inbound, InboundWorker
from channels.payloads import PayloadRegistry
from channels.queues import ChannelQueues
from channels.retry import Retry, RetryPolicy, call_with_retries
from channels.text import (
    Replies,
    intent_text,
    numbered_menu,
    phone_to_national,
    shorten,
    split_text,
    utf16_len,
)

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


NATIONAL_FORMS = {
    "+62 812-3456-7890": "081234567890",
    "6281234567890": "081234567890",
    "081234567890": "081234567890",
    "+1 202 555 0100": "+12025550100",
    "": "",
}


@pytest.mark.parametrize(("raw", "national"), NATIONAL_FORMS.items())
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


def test_retry_delays_take_the_hint_or_back_off_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
    assert policy.delay(Retry(after=42.0), failures=1) == 42.0
    assert 0.75 <= policy.delay(Retry(), failures=1) <= 1.25
    assert 3.0 <= policy.delay(Retry(), failures=3) <= 5.0
    assert policy.delay(Retry(), failures=40) <= 30.0 * 1.25


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


# --------------------------------------------------------------------------- inbound worker


def _inbound(n: int, sender: str = "wa:6281234567890", key: str | None = None) -> Inbound:
    return Inbound(
        sender_id=sender, dedupe_key=key or f"wa:m{n}", message_id=f"m{n}", text=f"pesan {n}"
    )


class Recorder:
    """A turn that records what it ran and how many of one sender's ran at once."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.done: list[str] = []
        self.active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}

    async def __call__(self, inbound: Inbound, attempt: int = 1) -> list[dict[str, Any]]:
        sender = inbound.sender_id
        self.active[sender] = self.active.get(sender, 0) + 1
        self.max_active[sender] = max(self.max_active.get(sender, 0), self.active[sender])
        for _ in range(3):  # give other tasks every chance to overtake
            await asyncio.sleep(self.delay)
        self.done.append(inbound.text or "")
        self.active[sender] -= 1
        return [{"text": f"jawaban {inbound.text}"}]


APOLOGY = [{"text": "Maaf, sistem sedang sibuk."}]


def _worker(queue: InboundQueue, turn: Any, **options: Any) -> InboundWorker:
    return InboundWorker(
        queue,
        channel="whatsapp",
        turn=turn,
        apology=lambda: list(APOLOGY),
        poll_interval=0.01,
        instance=options.pop("instance", "test-host:1"),
        **options,
    )


async def _replies(queues: ChannelQueues) -> list[str]:
    items = await queues.outbox.list(limit=100)
    return [m["text"] for item in reversed(items) for m in item.messages]


async def test_a_message_delivered_twice_is_processed_once(queues: ChannelQueues) -> None:
    work = Recorder()
    for _ in range(3):
        await queues.inbound.accept([_inbound(1).to_incoming()])
    await _run_inbound(queues, _worker(queues.inbound, work))
    assert work.done == ["pesan 1"]
    assert await _replies(queues) == ["jawaban pesan 1"]


async def _run_inbound(queues: ChannelQueues, *workers: InboundWorker) -> None:
    stop = asyncio.Event()
    loops = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        for _ in range(500):
            counts = await queues.inbound.counts()
            if counts.get("pending", 0) + counts.get("processing", 0) == 0:
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.gather(*loops)
        for worker in workers:
            await worker.drain(1.0)


async def test_a_burst_from_one_sender_runs_in_order_one_at_a_time(queues: ChannelQueues) -> None:
    work = Recorder(delay=0.001)
    await queues.inbound.accept([_inbound(n).to_incoming() for n in range(8)])
    await queues.inbound.accept([_inbound(99, sender="wa:6289999").to_incoming()])
    await _run_inbound(queues, _worker(queues.inbound, work))
    assert [t for t in work.done if t != "pesan 99"] == [f"pesan {n}" for n in range(8)]
    assert work.max_active["wa:6281234567890"] == 1
    assert "pesan 99" in work.done[:2]  # the other resident did not wait behind the burst


async def test_two_instances_share_the_store_without_doubling_or_reordering(
    queues: ChannelQueues,
) -> None:
    work = Recorder(delay=0.001)
    senders = [f"wa:62812000{n}" for n in range(4)]
    for n in range(5):
        # Each delivery may reach either instance; both store into the same database.
        await queues.inbound.accept(
            [_inbound(n * 10 + i, sender=s).to_incoming() for i, s in enumerate(senders)]
        )
    first = _worker(queues.inbound, work, instance="host-a:5005")
    second = _worker(queues.inbound, work, instance="host-b:5005")
    await _run_inbound(queues, first, second)
    assert sorted(work.done) == sorted(f"pesan {n * 10 + i}" for n in range(5) for i in range(4))
    for i in range(4):
        mine = [t for t in work.done if int(t.split()[1]) % 10 == i]
        assert mine == [f"pesan {n * 10 + i}" for n in range(5)]
    assert max(work.max_active.values()) == 1


async def test_a_failing_turn_gets_the_apology_and_the_next_one_still_runs(
    queues: ChannelQueues, caplog: pytest.LogCaptureFixture
) -> None:
    async def turn(inbound: Inbound, attempt: int) -> list[dict[str, Any]]:
        if inbound.message_id == "m1":
            raise RuntimeError("Rasa exploded")
        return [{"text": "oke"}]

    await queues.inbound.accept([_inbound(1).to_incoming(), _inbound(2).to_incoming()])
    await _run_inbound(queues, _worker(queues.inbound, turn))
    assert await _replies(queues) == [APOLOGY[0]["text"], "oke"]
    assert await queues.inbound.counts() == {"failed": 1, "done": 1}
    assert "Rasa exploded" in caplog.text
    assert "6281234567890" not in caplog.text  # the sender is masked


async def test_a_turn_that_hangs_is_timed_out_with_the_apology(
    queues: ChannelQueues, caplog: pytest.LogCaptureFixture
) -> None:
    async def turn(_: Inbound, attempt: int) -> list[dict[str, Any]]:
        await asyncio.Event().wait()
        return []

    await queues.inbound.accept([_inbound(1).to_incoming()])
    await _run_inbound(queues, _worker(queues.inbound, turn, turn_timeout=0.05))
    assert await _replies(queues) == [APOLOGY[0]["text"]]
    assert "timed out" in caplog.text


async def test_a_message_that_keeps_crashing_the_process_is_answered_with_the_apology(
    queues: ChannelQueues,
) -> None:
    await queues.inbound.accept([_inbound(1).to_incoming()])
    for boot in range(3):  # three runs that died mid-turn (their claims expire)
        await queues.inbound.claim(channel="whatsapp", worker=f"test-host:1/w/{boot}")
        await queues.inbound.release(f"test-host:1/w/{boot}")
    work = Recorder()
    await _run_inbound(queues, _worker(queues.inbound, work))
    assert work.done == []
    assert await _replies(queues) == [APOLOGY[0]["text"]]


async def test_stopping_hands_unfinished_turns_back_for_the_next_run(queues: ChannelQueues) -> None:
    started = asyncio.Event()

    async def turn(_: Inbound, attempt: int) -> list[dict[str, Any]]:
        started.set()
        await asyncio.Event().wait()
        return []

    await queues.inbound.accept([_inbound(1).to_incoming()])
    worker = _worker(queues.inbound, turn)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), 5)
    stop.set()
    await loop
    await worker.drain(0.05)
    assert await queues.inbound.counts() == {"pending": 1}
    # The next run of this instance answers it.
    work = Recorder()
    await _run_inbound(queues, _worker(queues.inbound, work))
    assert work.done == ["pesan 1"]
