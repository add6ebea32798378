"""The notifier hands status notifications to the outbox; the channels' senders deliver them.

Notifier and channels share one SQLite database here, as they share the system of
record in production; the fake platform APIs stand for Meta and Telegram.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.domain.identity import ChatIdentity
from bot.domain.model import NotificationStatus
from bot.services.inbound import IncomingMessage
from bot.services.tabik import Tabik
from bot.workers.notifier import Notifier, Outcome
from channels.common import Messaging
from channels.telegram import TelegramInput
from channels.whatsapp import WhatsAppInput
from tests.auxil import fake_telegram
from tests.auxil.fake_telegram import FakeBotApi
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.outbox import Clock, database_from, file_ticket, make_tabik, migrated_template

WA_RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")
TG_RESIDENT = ChatIdentity(channel="telegram", account=str(fake_telegram.CHAT_ID))
REST_RESIDENT = ChatIdentity(channel="rest", account="warga-web-1")


@pytest.fixture(scope="module")
def outbox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("notifier"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database_url(outbox_template: Path, tmp_path: Path) -> str:
    return database_from(outbox_template, tmp_path)


@pytest.fixture
def messaging(database_url: str) -> Iterator[Messaging]:
    """The channels' stores in the notifier's database (overrides the channels' own)."""
    made = Messaging.from_url(database_url, turn_timeout=10, poll_interval=0.02)
    yield made
    made.close()


@pytest.fixture
def tabik(database_url: str, clock: Clock) -> Iterator[Tabik]:
    tabik, engine = make_tabik(database_url, clock)
    yield tabik
    engine.dispose()


@pytest.fixture
async def senders(
    whatsapp: WhatsAppInput, telegram: TelegramInput
) -> AsyncIterator[tuple[WhatsAppInput, TelegramInput]]:
    """Both channels' outbox senders running, as in Rasa's process."""
    whatsapp.start_workers()
    telegram.start_workers()
    yield whatsapp, telegram
    await whatsapp.stop_workers()
    await telegram.stop_workers()


@pytest.fixture
def notifier(tabik: Tabik, messaging: Messaging) -> Notifier:
    return Notifier(
        tabik, messaging.outbox, frozenset({"whatsapp", "telegram"}), poll_interval=0.01
    )


def records(tabik: Tabik, number: str) -> list[tuple[NotificationStatus, int]]:
    with tabik.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None and ticket.id is not None
        return [(n.status, n.attempts) for n in uow.notifications.for_ticket(ticket.id)]


async def test_whatsapp_outside_the_window_gets_the_template_once(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    senders: object,
    graph_api: tuple[FakeGraphApi, str],
    bot_api: tuple[FakeBotApi, str],
) -> None:
    number = await file_ticket(tabik, WA_RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1", note="Data lengkap")

    counts = await notifier.run_once()
    again = await notifier.run_once()
    await messaging.settled()

    [message] = graph_api[0].sent
    assert message["to"] == WA_RESIDENT.account
    assert message["type"] == "template"
    assert message["template"]["name"] == "tabik_status_update"
    assert message["template"]["language"] == {"code": "id"}
    [body] = message["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == [number, "diverifikasi", "Data lengkap"]
    assert counts[Outcome.QUEUED] == 1 and again[Outcome.QUEUED] == 0
    assert bot_api[0].calls == []
    assert records(tabik, number) == [(NotificationStatus.SENT, 1)]
    [row] = await messaging.outbox.list(statuses=["sent"])
    assert row.kind == "notification" and row.dedup_key.startswith("notification:")


async def test_whatsapp_inside_the_window_gets_the_text(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    senders: object,
    graph_api: tuple[FakeGraphApi, str],
) -> None:
    # The resident wrote a moment ago (stored by the webhook, so known to every process).
    await messaging.inbound.accept([IncomingMessage(WA_RESIDENT, "wa:wamid.X", {"text": "halo"})])
    number = await file_ticket(tabik, WA_RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await notifier.run_once()
    await graph_api[0].wait_for_sent(1)

    [message] = graph_api[0].sent
    assert message["type"] == "text"
    assert f"Status tiket {number} kini *diverifikasi*." in message["text"]["body"]


async def test_telegram_gets_the_plain_text_in_the_filing_chat(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    senders: object,
    bot_api: tuple[FakeBotApi, str],
) -> None:
    number = await file_ticket(tabik, TG_RESIDENT)
    await tabik.change_status(number, to="ditolak", actor="officer:1", note="Bukan wilayah kami")

    await notifier.run_once()
    await messaging.settled()

    [sent] = bot_api[0].accepted("sendMessage")
    assert int(sent["chat_id"]) == fake_telegram.CHAT_ID
    assert f"status tiket {number} kini ditolak." in sent["text"]
    assert "Alasan: Bukan wilayah kami" in sent["text"]
    assert "*" not in sent["text"]


async def test_a_failing_api_is_retried_later_and_the_message_is_not_lost(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    senders: object,
    graph_api: tuple[FakeGraphApi, str],
) -> None:
    fake = graph_api[0]
    number = await file_ticket(tabik, WA_RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    fake.fail_next(503, code=2, message="Service temporarily unavailable", times=9)

    await notifier.run_once()
    await messaging.settled()

    [message] = fake.sent
    assert message["to"] == WA_RESIDENT.account
    [row] = await messaging.outbox.list(statuses=["sent"])
    assert row.attempts == 3  # two sends refused (4 tries each), the third went out
    assert "503" in (row.last_error or "")


async def test_a_resident_who_blocked_the_bot_is_not_retried(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    senders: object,
    bot_api: tuple[FakeBotApi, str],
) -> None:
    fake = bot_api[0]
    number = await file_ticket(tabik, TG_RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    fake.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user")

    await notifier.run_once()
    await messaging.settled()
    await asyncio.sleep(0.1)

    assert fake.accepted("sendMessage") == []
    assert len([c for c in fake.calls if c[0] == "sendMessage"]) == 1
    [row] = await messaging.outbox.list(statuses=["failed"])
    assert "blocked" in (row.last_error or "")


async def test_a_rest_channel_resident_is_marked_failed_without_sending(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    clock: Clock,
) -> None:
    number = await file_ticket(tabik, REST_RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")

    counts = await notifier.run_once()
    clock.advance(days=1)
    await notifier.run_once()

    assert counts[Outcome.GAVE_UP] == 1
    assert await messaging.outbox.list(statuses=()) == []
    assert records(tabik, number) == [(NotificationStatus.FAILED, 1)]


async def test_two_notifier_instances_queue_a_notification_once(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    senders: object,
    graph_api: tuple[FakeGraphApi, str],
    bot_api: tuple[FakeBotApi, str],
) -> None:
    other = Notifier(tabik, messaging.outbox, notifier.channels)
    numbers = [await file_ticket(tabik, WA_RESIDENT), await file_ticket(tabik, TG_RESIDENT)]
    for number in numbers:
        await tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await asyncio.gather(notifier.run_once(), other.run_once(), notifier.run_once())
    await messaging.settled()

    assert len(graph_api[0].sent) == 1
    assert len(bot_api[0].accepted("sendMessage")) == 1


async def test_the_loop_delivers_and_stops_when_asked(
    tabik: Tabik, notifier: Notifier, senders: object, bot_api: tuple[FakeBotApi, str]
) -> None:
    number = await file_ticket(tabik, TG_RESIDENT)
    stop = asyncio.Event()
    loop = asyncio.create_task(notifier.run(stop))

    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    await bot_api[0].wait_for("sendMessage", 1)
    stop.set()
    await asyncio.wait_for(loop, 5)

    assert records(tabik, number) == [(NotificationStatus.SENT, 1)]


async def test_a_failing_pass_is_logged_and_the_loop_goes_on(
    tabik: Tabik,
    notifier: Notifier,
    senders: object,
    bot_api: tuple[FakeBotApi, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    number = await file_ticket(tabik, TG_RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    real_enqueue = notifier.outbox.enqueue
    failures = [ConnectionError("database down")]

    async def flaky_enqueue(*args: object, **kwargs: object) -> int:
        if failures:
            raise failures.pop()
        return await real_enqueue(*args, **kwargs)  # type: ignore[arg-type]

    notifier.outbox.enqueue = flaky_enqueue  # type: ignore[method-assign]
    stop = asyncio.Event()
    loop = asyncio.create_task(notifier.run(stop))
    await bot_api[0].wait_for("sendMessage", 1)
    stop.set()
    await asyncio.wait_for(loop, 5)

    assert "notifier pass failed" in caplog.text
    assert records(tabik, number) == [(NotificationStatus.SENT, 1)]


def read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


async def wait_for_text(path: Path, text: str, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while text not in read_log(path):
        if loop.time() > deadline:
            raise AssertionError(f"{text!r} not logged; log:\n{read_log(path)}")
        await asyncio.sleep(0.05)


async def test_the_process_starts_without_calls_queues_and_exits_on_sigterm(
    tabik: Tabik,
    telegram: TelegramInput,
    bot_api: tuple[FakeBotApi, str],
    database_url: str,
    tmp_path: Path,
) -> None:
    fake, base = bot_api
    telegram.start_workers()  # Rasa's process, sending what the notifier process queues
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "TELEGRAM_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "TELEGRAM_BOT_TOKEN": fake_telegram.BOT_TOKEN,
        "TELEGRAM_API_BASE": base,
        "TABIK_VAR_DIR": str(tmp_path),
    }
    log = tmp_path / "notifier.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.workers.notifier",
            "--interval",
            "0.1",
            cwd=PROJECT_ROOT,
            env=env,
            stdout=stderr,
            stderr=stderr,
        )
    try:
        await wait_for_text(log, "notifier started")
        await asyncio.sleep(0.3)  # a few empty passes
        assert fake.calls == []  # no getMe, no setWebhook: nothing at start-up

        number = await file_ticket(tabik, TG_RESIDENT)
        await tabik.change_status(number, to="diverifikasi", actor="officer:1")
        [sent] = await fake.wait_for("sendMessage", 1, timeout=20)

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert number in sent["text"]
    assert records(tabik, number) == [(NotificationStatus.SENT, 1)]
    logged = read_log(log)
    assert "notifier stopped" in logged
    assert TG_RESIDENT.account not in logged  # chat ids are masked in the log
    assert fake_telegram.BOT_TOKEN not in logged  # and the token is never logged
