"""After ``selesai`` the notifier asks the resident to rate the handling, with buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.domain.identity import ChatIdentity
from bot.services.inbound import IncomingMessage
from bot.services.tabik import Tabik
from bot.workers.notifier import Notifier
from channels.common import Messaging
from channels.whatsapp import WhatsAppInput
from tests.auxil.fake_whatsapp import FakeGraphApi
from tests.auxil.outbox import Clock, database_from, file_ticket, make_tabik, migrated_template

WA_RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")
STEPS = ("diverifikasi", "diteruskan", "diproses")


@pytest.fixture(scope="module")
def outbox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("notifier-rating"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database_url(outbox_template: Path, tmp_path: Path) -> str:
    return database_from(outbox_template, tmp_path)


@pytest.fixture
def messaging(database_url: str) -> Iterator[Messaging]:
    made = Messaging.from_url(database_url, turn_timeout=10, poll_interval=0.02)
    yield made
    made.close()


@pytest.fixture
def tabik(database_url: str, clock: Clock) -> Iterator[Tabik]:
    tabik, engine = make_tabik(database_url, clock)
    yield tabik
    engine.dispose()


@pytest.fixture
async def sender(whatsapp: WhatsAppInput) -> AsyncIterator[WhatsAppInput]:
    whatsapp.start_workers()
    yield whatsapp
    await whatsapp.stop_workers()


@pytest.fixture
def notifier(tabik: Tabik, messaging: Messaging) -> Notifier:
    return Notifier(tabik, messaging.outbox, frozenset({"whatsapp"}), poll_interval=0.01)


async def test_selesai_comes_with_the_rating_question_and_five_choices(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    sender: WhatsAppInput,
    graph_api: tuple[FakeGraphApi, str],
) -> None:
    await messaging.inbound.accept([IncomingMessage(WA_RESIDENT, "wa:wamid.R", {"text": "halo"})])
    number = await file_ticket(tabik, WA_RESIDENT)
    for count, status in enumerate(STEPS, start=1):
        await tabik.change_status(number, to=status, actor="officer:1")
        await notifier.run_once()
        await graph_api[0].wait_for_sent(count)
    assert await tabik.pending_rating(WA_RESIDENT) is None

    await tabik.change_status(number, to="selesai", actor="officer:1")
    await notifier.run_once()
    sent = await graph_api[0].wait_for_sent(5)

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
    pending = await tabik.pending_rating(WA_RESIDENT)
    assert pending is not None and pending.number == number


async def test_a_rejection_asks_for_no_rating(
    tabik: Tabik,
    notifier: Notifier,
    messaging: Messaging,
    sender: WhatsAppInput,
    graph_api: tuple[FakeGraphApi, str],
) -> None:
    await messaging.inbound.accept([IncomingMessage(WA_RESIDENT, "wa:wamid.S", {"text": "halo"})])
    number = await file_ticket(tabik, WA_RESIDENT)
    await tabik.change_status(number, to="ditolak", actor="officer:1", note="Bukan wilayah kami")

    await notifier.run_once()
    [sent] = await graph_api[0].wait_for_sent(1)

    assert "ditolak" in sent["text"]["body"]
    assert await tabik.pending_rating(WA_RESIDENT) is None


async def test_outside_the_window_the_question_goes_as_numbered_lines_in_the_reply_template(
    tabik: Tabik,
    notifier: Notifier,
    sender: WhatsAppInput,
    graph_api: tuple[FakeGraphApi, str],
) -> None:
    number = await file_ticket(tabik, WA_RESIDENT)
    for count, status in enumerate((*STEPS, "selesai"), start=1):
        await tabik.change_status(number, to=status, actor="officer:1")
        await notifier.run_once()
        await graph_api[0].wait_for_sent(count)
    sent = await graph_api[0].wait_for_sent(5)

    question = sent[4]
    assert question["type"] == "template"
    assert question["template"]["name"] == "tabik_reply"
    [param] = question["template"]["components"][0]["parameters"]
    assert f"Bagaimana penanganan laporan {number}?" in param["text"]
    assert "5 · Sangat baik" in param["text"]
