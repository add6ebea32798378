"""The stand-in sender: staff messages go out at once through the channel outputs."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.domain.identity import ChatIdentity
from bot.services.messaging import MessageNotSent
from bot.workers.direct_messages import DirectSender
from tests.auxil import fake_whatsapp


@pytest.fixture
async def graph(aiohttp_server):
    fake = fake_whatsapp.FakeGraphApi()
    server = await aiohttp_server(fake.app())
    return fake, server


def sender(server) -> DirectSender:
    return DirectSender(
        Settings.from_env(
            {
                "WHATSAPP_VERIFY_TOKEN": fake_whatsapp.VERIFY_TOKEN,
                "WHATSAPP_APP_SECRET": fake_whatsapp.APP_SECRET,
                "WHATSAPP_ACCESS_TOKEN": fake_whatsapp.ACCESS_TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": fake_whatsapp.PHONE_NUMBER_ID,
                "WHATSAPP_API_BASE": str(server.make_url(f"/{fake_whatsapp.API_VERSION}")),
            }
        )
    )


async def test_text_reaches_the_graph_api(graph):
    fake, server = graph
    direct = sender(server)
    try:
        await direct.enqueue(
            ChatIdentity("whatsapp", "6281234567890"),
            [{"text": "Nomor tiket Anda ADU-261201-ABCD"}],
            kind="staff",
            key="filed:ADU-261201-ABCD",
        )
    finally:
        await direct.close()
    [sent] = fake.sent
    assert sent["to"] == "6281234567890"
    assert sent["text"]["body"] == "Nomor tiket Anda ADU-261201-ABCD"


async def test_a_channel_that_is_off_sends_nothing_and_a_refusal_is_raised(graph):
    fake, server = graph
    direct = sender(server)
    try:
        sent = await direct.enqueue(
            ChatIdentity("telegram", "555"), [{"text": "x"}], kind="staff", key="k"
        )
        assert sent == 0
        fake.fail_next(400, code=131026, message="Message undeliverable")
        with pytest.raises(MessageNotSent):
            await direct.enqueue(
                ChatIdentity("whatsapp", "6281234567890"), [{"text": "x"}], kind="staff", key="k"
            )
    finally:
        await direct.close()
