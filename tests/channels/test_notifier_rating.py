"""After ``selesai`` the notifier asks the resident to rate the handling, with buttons."""

from __future__ import annotations

from bot.domain.identity import ChatIdentity
from bot.services.inbound import IncomingMessage
from tests.auxil.outbox import file_ticket
from tests.channels.conftest import NotifierWorld

WA_RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")
STEPS = ("diverifikasi", "diteruskan", "diproses")


async def test_selesai_comes_with_the_rating_question_and_five_choices(
    world: NotifierWorld,
) -> None:
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.R", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    for count, status in enumerate(STEPS, start=1):
        await world.tabik.change_status(number, to=status, actor="officer:1")
        await world.notifier.run_once()
        await world.meta.wait_for_sent(count)
    assert await world.tabik.pending_rating(WA_RESIDENT) is None

    await world.tabik.change_status(number, to="selesai", actor="officer:1")
    await world.notifier.run_once()
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


async def test_a_rejection_asks_for_no_rating(world: NotifierWorld) -> None:
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.S", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    await world.tabik.change_status(
        number, to="ditolak", actor="officer:1", note="Bukan wilayah kami"
    )

    await world.notifier.run_once()
    [sent] = await world.meta.wait_for_sent(1)

    assert "ditolak" in sent["text"]["body"]
    assert await world.tabik.pending_rating(WA_RESIDENT) is None


async def test_outside_the_window_the_question_goes_as_numbered_lines_in_the_reply_template(
    world: NotifierWorld,
) -> None:
    number = await file_ticket(world.tabik, WA_RESIDENT)
    for count, status in enumerate((*STEPS, "selesai"), start=1):
        await world.tabik.change_status(number, to=status, actor="officer:1")
        await world.notifier.run_once()
        await world.meta.wait_for_sent(count)
    sent = await world.meta.wait_for_sent(5)

    question = sent[4]
    assert question["type"] == "template"
    assert question["template"]["name"] == "tabik_reply"
    [param] = question["template"]["components"][0]["parameters"]
    assert f"Bagaimana penanganan laporan {number}?" in param["text"]
    assert "5 · Sangat baik" in param["text"]
