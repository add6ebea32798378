"""A status change queues the resident's notice in its own transaction; the channels'
outbox senders deliver it like any reply.

Services and channels share one database here, as they share the system of record in
production; the fake platform APIs stand for Meta and Telegram.
"""

from __future__ import annotations

import asyncio

from bot.domain.identity import ChatIdentity
from bot.services.inbound import IncomingMessage
from tests.auxil import fake_telegram
from tests.auxil.outbox import file_ticket
from tests.channels.conftest import StatusWorld

WA_RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")
TG_RESIDENT = ChatIdentity(channel="telegram", account=str(fake_telegram.CHAT_ID))
REST_RESIDENT = ChatIdentity(channel="rest", account="warga-web-1")
STEPS = ("diverifikasi", "diteruskan", "diproses")


async def test_whatsapp_outside_the_window_gets_the_template_once(world: StatusWorld) -> None:
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(
        number, to="diverifikasi", actor="officer:1", note="Data lengkap"
    )

    await world.meta.wait_for_sent(1)
    await world.messaging.settled()

    [message] = world.meta.sent
    assert message["to"] == WA_RESIDENT.account
    assert message["type"] == "template"
    assert message["template"]["name"] == "tabik_status_update"
    assert message["template"]["language"] == {"code": "id"}
    [body] = message["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == [number, "diverifikasi", "Data lengkap"]
    assert world.bot.calls == []
    [row] = await world.messaging.outbox.list(statuses=["sent"])
    assert row.kind == "notification" and row.dedup_key == f"status:{number}:2"


async def test_whatsapp_inside_the_window_gets_the_text(world: StatusWorld) -> None:
    # The resident wrote a moment ago (stored by the webhook, so known to every process).
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.X", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await world.meta.wait_for_sent(1)

    [message] = world.meta.sent
    assert message["type"] == "text"
    assert f"Status tiket {number} kini *diverifikasi*." in message["text"]["body"]


async def test_telegram_gets_the_plain_text_in_the_filing_chat(world: StatusWorld) -> None:
    number = await file_ticket(world.tabik, TG_RESIDENT)
    await world.tabik.change_status(
        number, to="ditolak", actor="officer:1", note="Bukan wilayah kami"
    )

    await world.bot.wait_for("sendMessage", 1)
    await world.messaging.settled()

    [sent] = world.bot.accepted("sendMessage")
    assert int(sent["chat_id"]) == fake_telegram.CHAT_ID
    assert f"status tiket {number} kini ditolak." in sent["text"]
    assert "Alasan: Bukan wilayah kami" in sent["text"]
    assert "*" not in sent["text"]


async def test_a_failing_api_is_retried_later_and_the_message_is_not_lost(
    world: StatusWorld,
) -> None:
    fake = world.meta
    fake.fail_next(503, code=2, message="Service temporarily unavailable", times=9)
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await fake.wait_for_sent(1)
    await world.messaging.settled()

    [message] = fake.sent
    assert message["to"] == WA_RESIDENT.account
    [row] = await world.messaging.outbox.list(statuses=["sent"])
    assert row.attempts == 3  # two sends refused (4 tries each), the third went out
    assert "503" in (row.last_error or "")


async def test_a_resident_who_blocked_the_bot_is_not_retried(world: StatusWorld) -> None:
    fake = world.bot
    fake.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    number = await file_ticket(world.tabik, TG_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")

    await world.messaging.settled()
    await asyncio.sleep(0.1)

    assert fake.accepted("sendMessage") == []
    assert len([c for c in fake.calls if c[0] == "sendMessage"]) == 1
    [row] = await world.messaging.outbox.list(statuses=["failed"])
    assert "blocked" in (row.last_error or "")


async def test_a_rest_channel_resident_is_failed_at_once_without_sending(
    world: StatusWorld,
) -> None:
    number = await file_ticket(world.tabik, REST_RESIDENT)
    await world.tabik.change_status(number, to="diverifikasi", actor="officer:1")
    await asyncio.sleep(0.1)

    [row] = await world.messaging.outbox.list(statuses=["failed"])
    assert row.recipient == REST_RESIDENT and row.dedup_key == f"status:{number}:2"
    assert "no sender" in (row.last_error or "")
    assert world.meta.sent == [] and world.bot.calls == []


async def test_each_change_reaches_the_resident_once_and_in_order(world: StatusWorld) -> None:
    number = await file_ticket(world.tabik, TG_RESIDENT)
    for status in STEPS:
        await world.tabik.change_status(number, to=status, actor="officer:1")

    sent = await world.bot.wait_for("sendMessage", 3)
    await world.messaging.settled()
    await asyncio.sleep(0.1)

    assert len(world.bot.accepted("sendMessage")) == 3
    assert [s["text"].split("kini ")[1].split(".")[0] for s in sent] == list(STEPS)


async def test_selesai_comes_with_the_rating_question_and_five_choices(
    world: StatusWorld,
) -> None:
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.R", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    for count, status in enumerate(STEPS, start=1):
        await world.tabik.change_status(number, to=status, actor="officer:1")
        await world.meta.wait_for_sent(count)
    assert await world.tabik.pending_rating(WA_RESIDENT) is None

    await world.tabik.change_status(number, to="selesai", actor="officer:1")
    sent = await world.meta.wait_for_sent(5)

    status, question = sent[3], sent[4]
    assert f"Status tiket {number} kini *selesai*." in status["text"]["body"]
    assert question["type"] == "interactive"
    body = question["interactive"]["body"]["text"]
    assert f"Bagaimana penanganan laporan {number}?" in body
    assert "Balas 1–5" in body
    rows = question["interactive"]["action"]["sections"][0]["rows"]
    assert [row["title"] for row in rows] == [
        "5 · Sangat baik",
        "4 · Baik",
        "3 · Cukup",
        "2 · Buruk",
        "1 · Sangat buruk",
    ]
    pending = await world.tabik.pending_rating(WA_RESIDENT)
    assert pending is not None and pending.number == number


async def test_a_rejection_asks_for_no_rating(world: StatusWorld) -> None:
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.S", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(
        number, to="ditolak", actor="officer:1", note="Bukan wilayah kami"
    )

    [sent] = await world.meta.wait_for_sent(1)

    assert "ditolak" in sent["text"]["body"]
    assert await world.tabik.pending_rating(WA_RESIDENT) is None


async def test_outside_the_window_the_question_goes_as_numbered_lines_in_the_reply_template(
    world: StatusWorld,
) -> None:
    number = await file_ticket(world.tabik, WA_RESIDENT)
    for count, status in enumerate((*STEPS, "selesai"), start=1):
        await world.tabik.change_status(number, to=status, actor="officer:1")
        await world.meta.wait_for_sent(count)
    sent = await world.meta.wait_for_sent(5)

    question = sent[4]
    assert question["type"] == "template"
    assert question["template"]["name"] == "tabik_reply"
    [param] = question["template"]["components"][0]["parameters"]
    assert f"Bagaimana penanganan laporan {number}?" in param["text"]
    assert "5 · Sangat baik" in param["text"]
