"""The notifier hands status notifications to the outbox; the channels' senders deliver them.

Notifier and channels share one SQLite database here, as they share the system of
record in production; the fake platform APIs stand for Meta and Telegram.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.domain.identity import ChatIdentity
from bot.domain.model import NotificationStatus
from bot.services.inbound import IncomingMessage
from bot.services.tabik import Tabik
from bot.workers.notifier import Notifier, Outcome
from channels.telegram import TelegramInput
from tests.auxil import fake_telegram
from tests.auxil.fake_telegram import FakeBotApi
from tests.auxil.outbox import file_ticket
from tests.channels.conftest import NotifierWorld

WA_RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")
TG_RESIDENT = ChatIdentity(channel="telegram", account=str(fake_telegram.CHAT_ID))
REST_RESIDENT = ChatIdentity(channel="rest", account="warga-web-1")


def records(tabik: Tabik, number: str) -> list[tuple[NotificationStatus, int]]:
    with tabik.uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None and ticket.id is not None
        return [(n.status, n.attempts) for n in uow.notifications.for_ticket(ticket.id)]


async def test_whatsapp_outside_the_window_gets_the_template_once(world: NotifierWorld) -> None:
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(
        number, to="diverifikasi", actor="officer:1", note="Data lengkap"
    )

    counts = await world.notifier.run_once()
    again = await world.notifier.run_once()
    await world.messaging.settled()

    [message] = world.meta.sent
    assert message["to"] == WA_RESIDENT.account
    assert message["type"] == "template"
    assert message["template"]["name"] == "tabik_status_update"
    assert message["template"]["language"] == {"code": "id"}
    [body] = message["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == [number, "diverifikasi", "Data lengkap"]
    assert counts[Outcome.QUEUED] == 1 and again[Outcome.QUEUED] == 0
    assert world.bot.calls == []
    assert records(world.tabik, number) == [(NotificationStatus.SENT, 1)]
    [row] = await world.messaging.outbox.list(statuses=["sent"])
    assert row.kind == "notification" and row.dedup_key.startswith("notification:")


async def test_whatsapp_inside_the_window_gets_the_text(world: NotifierWorld) -> None:
    # The resident wrote a moment ago (stored by the webhook, so known to every process).
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.X", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await world.notifier.run_once()
    await world.meta.wait_for_sent(1)

    [message] = world.meta.sent
    assert message["type"] == "text"
    assert f"Status tiket {number} kini *diverifikasi*." in message["text"]["body"]


async def test_telegram_gets_the_plain_text_in_the_filing_chat(world: NotifierWorld) -> None:
    number = await file_ticket(world.tabik, TG_RESIDENT)
    await world.tabik.change_status(
        number, to="ditolak", actor="officer:1", note="Bukan wilayah kami"
    )

    await world.notifier.run_once()
    await world.messaging.settled()

    [sent] = world.bot.accepted("sendMessage")
    assert int(sent["chat_id"]) == fake_telegram.CHAT_ID
    assert f"status tiket {number} kini ditolak." in sent["text"]
    assert "Alasan: Bukan wilayah kami" in sent["text"]
    assert "*" not in sent["text"]


async def test_a_failing_api_is_retried_later_and_the_message_is_not_lost(
    world: NotifierWorld,
) -> None:
    fake = world.meta
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")
    fake.fail_next(503, code=2, message="Service temporarily unavailable", times=9)

    await world.notifier.run_once()
    await world.messaging.settled()

    [message] = fake.sent
    assert message["to"] == WA_RESIDENT.account
    [row] = await world.messaging.outbox.list(statuses=["sent"])
    assert row.attempts == 3  # two sends refused (4 tries each), the third went out
    assert "503" in (row.last_error or "")


async def test_a_resident_who_blocked_the_bot_is_not_retried(world: NotifierWorld) -> None:
    fake = world.bot
    number = await file_ticket(world.tabik, TG_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")
    fake.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user")

    await world.notifier.run_once()
    await world.messaging.settled()
    await asyncio.sleep(0.1)

    assert fake.accepted("sendMessage") == []
    assert len([c for c in fake.calls if c[0] == "sendMessage"]) == 1
    [row] = await world.messaging.outbox.list(statuses=["failed"])
    assert "blocked" in (row.last_error or "")


async def test_a_rest_channel_resident_is_marked_failed_without_sending(
    world: NotifierWorld,
) -> None:
    number = await file_ticket(world.tabik, REST_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")

    counts = await world.notifier.run_once()
    world.clock.advance(days=1)
    await world.notifier.run_once()

    assert counts[Outcome.GAVE_UP] == 1
    assert await world.messaging.outbox.list(statuses=()) == []
    assert records(world.tabik, number) == [(NotificationStatus.FAILED, 1)]


async def test_two_notifier_instances_queue_a_notification_once(world: NotifierWorld) -> None:
    other = Notifier(world.tabik, world.messaging.outbox, world.notifier.channels)
    numbers = [
        await file_ticket(world.tabik, WA_RESIDENT),
        await file_ticket(world.tabik, TG_RESIDENT),
    ]
    for number in numbers:
        await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await asyncio.gather(world.notifier.run_once(), other.run_once(), world.notifier.run_once())
    await world.messaging.settled()

    assert len(world.meta.sent) == 1
    assert len(world.bot.accepted("sendMessage")) == 1


async def test_the_loop_delivers_and_stops_when_asked(world: NotifierWorld) -> None:
    number = await file_ticket(world.tabik, TG_RESIDENT)
    stop = asyncio.Event()
    loop = asyncio.create_task(world.notifier.run(stop))

    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")
    await world.bot.wait_for("sendMessage", 1)
    stop.set()
    await asyncio.wait_for(loop, 5)

    assert records(world.tabik, number) == [(NotificationStatus.SENT, 1)]


async def test_a_failing_pass_is_logged_and_the_loop_goes_on(
    world: NotifierWorld, caplog: pytest.LogCaptureFixture
) -> None:
    number = await file_ticket(world.tabik, TG_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")
    real_enqueue = world.notifier.outbox.enqueue
    failures = [ConnectionError("database down")]

    async def flaky_enqueue(*args: object, **kwargs: object) -> int:
        if failures:
            raise failures.pop()
        return await real_enqueue(*args, **kwargs)  # type: ignore[arg-type]

    world.notifier.outbox.enqueue = flaky_enqueue  # type: ignore[method-assign]
    stop = asyncio.Event()
    loop = asyncio.create_task(world.notifier.run(stop))
    await world.bot.wait_for("sendMessage", 1)
    stop.set()
    await asyncio.wait_for(loop, 5)

    assert "notifier pass failed" in caplog.text
    assert records(world.tabik, number) == [(NotificationStatus.SENT, 1)]


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
