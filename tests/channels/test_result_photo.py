"""An officer's photo of the result reaches the resident with the selesai notice: uploaded
to the Cloud API's media endpoint and sent by id on WhatsApp, by sendPhoto on Telegram."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.media import PlatformMedia
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketStatus
from bot.services.inbound import IncomingMessage
from bot.services.status_changes import Evidence, Photo, change_status
from tests.auxil import fake_telegram
from tests.auxil.fake_whatsapp import JPEG
from tests.auxil.outbox import file_ticket
from tests.channels.conftest import StatusWorld

WA_RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567891")
TG_RESIDENT = ChatIdentity(channel="telegram", account=str(fake_telegram.CHAT_ID))
STEPS = ("diverifikasi", "diteruskan", "diproses")


def finish_with_photo(world: StatusWorld, number: str, media_dir: Path) -> str:
    """Take ``number`` to selesai as the console does, with a kept photo; its reference."""
    ref, kept = PlatformMedia(media_dir).keep_officer_photo(JPEG)
    tabik = world.tabik
    assert tabik.notices is not None
    with tabik.uow_factory() as uow:
        change_status(
            uow,
            number,
            TicketStatus.SELESAI,
            actor="staff:petugas",
            note="Lubang sudah ditambal",
            now=world.clock(),
            notices=tabik.notices,
            evidence=Evidence(Photo(ref=ref, mime_type=kept.mime_type)),
        )
        uow.commit()
    return ref


async def test_whatsapp_gets_the_photo_between_the_notice_and_the_question(
    world: StatusWorld, media_dir: Path
) -> None:
    await world.messaging.inbound.accept(
        [IncomingMessage(WA_RESIDENT, "wa:wamid.P", {"text": "halo"})]
    )
    number = await file_ticket(world.tabik, WA_RESIDENT)
    for count, status in enumerate(STEPS, start=1):
        await world.tabik.change_status(number, to=status, actor="officer:1")
        await world.meta.wait_for_sent(count)

    finish_with_photo(world, number, media_dir)
    sent = await world.meta.wait_for_sent(6)

    notice, photo, question = sent[3], sent[4], sent[5]
    assert "Lubang sudah ditambal" in notice["text"]["body"]
    assert photo["type"] == "image" and photo["to"] == WA_RESIDENT.account
    media_id = photo["image"]["id"]
    assert world.meta.uploads[media_id] == ("image/jpeg", JPEG)
    assert f"Bagaimana penanganan laporan {number}?" in question["interactive"]["body"]["text"]


async def test_telegram_gets_the_photo_by_send_photo(world: StatusWorld, media_dir: Path) -> None:
    number = await file_ticket(world.tabik, TG_RESIDENT)
    for count, status in enumerate(STEPS, start=1):
        await world.tabik.change_status(number, to=status, actor="officer:1")
        await world.bot.wait_for("sendMessage", count)

    finish_with_photo(world, number, media_dir)
    [photo] = await world.bot.wait_for("sendPhoto", 1)
    assert str(photo["chat_id"]) == TG_RESIDENT.account
    assert photo["photo"].file.read() == JPEG
    texts = [str(c["text"]) for c in await world.bot.wait_for("sendMessage", 5)]
    assert any("Lubang sudah ditambal" in t for t in texts)
    assert f"Bagaimana penanganan laporan {number}?" in texts[-1]
