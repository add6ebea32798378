"""Status notification texts and the outbox service methods."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.db.message_queue import outbox_on
from bot.adapters.kv import MemoryStore
from bot.domain.errors import InvalidTransition, NotConfigured
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketStatus
from bot.domain.notifications import (
    NotificationTexts,
    NotificationTextsInvalid,
    notification_texts,
    plain,
    template_params,
)
from bot.services.outbox import Outbox
from bot.services.tabik import Tabik
from tests.auxil.outbox import (
    T0,
    Clock,
    database_from,
    file_ticket,
    make_tabik,
    migrated_template,
)

NUMBER = "ADU-261201-7KQ2"
RESIDENT = ChatIdentity(channel="whatsapp", account="6281234567890")

# ---------------------------------------------------------------- texts


@pytest.mark.parametrize("status", list(TicketStatus))
def test_every_status_has_a_short_indonesian_message_with_number_and_status(
    status: TicketStatus,
) -> None:
    note = "Berkas KK belum dilampirkan" if status is TicketStatus.DITOLAK else None

    text = notification_texts().render(number=NUMBER, status=status, note=note)

    assert f"status tiket {NUMBER} kini *{status.value}*.".lower() in text.lower()
    assert f"cek status {NUMBER}" in text
    assert "{" not in text and "None" not in text
    assert len(text) < 400  # short enough to read at a glance


def test_a_rejection_tells_the_reason() -> None:
    text = notification_texts().render(
        number=NUMBER, status="ditolak", note="  Foto lokasi tidak jelas  "
    )

    assert "Alasan: Foto lokasi tidak jelas\n" in text
    assert "Catatan petugas" not in text  # the reason is told once


def test_an_officers_note_is_added_on_its_own_line() -> None:
    texts = notification_texts()

    with_note = texts.render(number=NUMBER, status="diproses", note="Perbaikan dijadwalkan {besok}")
    without = texts.render(number=NUMBER, status="diproses", note="  ")

    assert "\nCatatan petugas: Perbaikan dijadwalkan {besok}\n" in with_note
    assert "Catatan" not in without


def test_plain_text_loses_the_bold_markers_only() -> None:
    text = notification_texts().render(number=NUMBER, status="selesai", bold=False)

    assert "*" not in text
    assert "kini selesai." in text
    assert plain("2 * 3 = 6, *tebal*") == "2 * 3 = 6, tebal"


def test_whatsapp_template_parameters_are_number_status_and_note_or_dash() -> None:
    assert template_params(number=NUMBER, status=TicketStatus.DIPROSES, note=None) == [
        NUMBER,
        "diproses",
        "-",
    ]
    assert template_params(number=NUMBER, status="ditolak", note=" Data tidak lengkap ") == [
        NUMBER,
        "ditolak",
        "Data tidak lengkap",
    ]


def test_a_missing_status_template_or_a_rejection_without_reason_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notifications.yml"
    base = {s.value: "Tiket {number}: {status}. {note}" for s in TicketStatus}
    rest = 'note_line: "Catatan: {note}"\ndetails_hint: "Ketik cek status {number}"\n'

    def write(templates: dict[str, str]) -> None:
        lines = "".join(f'  {k}: "{v}"\n' for k, v in templates.items())
        path.write_text("status_changed:\n" + lines + rest, encoding="utf-8")

    write(base)
    assert (
        NotificationTexts.load(path)
        .render(number=NUMBER, status="selesai")
        .startswith(f"Tiket {NUMBER}: selesai.")
    )
    write({k: v for k, v in base.items() if k != "diproses"})
    with pytest.raises(NotificationTextsInvalid, match="diproses"):
        NotificationTexts.load(path)
    write({**base, "ditolak": "Tiket {number} ditolak."})
    with pytest.raises(NotificationTextsInvalid, match="note"):
        NotificationTexts.load(path)
    write({**base, "selesai": "Tiket {nomor} selesai."})
    with pytest.raises(NotificationTextsInvalid, match="nomor"):
        NotificationTexts.load(path)


# ---------------------------------------------------------------- status notices


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("outbox"))


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def world(template: Path, tmp_path: Path, clock: Clock) -> Iterator[tuple[Tabik, Outbox]]:
    tabik, engine = make_tabik(database_from(template, tmp_path), clock)
    yield tabik, outbox_on(engine, clock=clock)
    engine.dispose()


async def test_a_status_change_queues_the_notice_for_the_filing_chat_account(
    world: tuple[Tabik, Outbox], clock: Clock
) -> None:
    tabik, outbox = world
    number = await file_ticket(tabik, RESIDENT)
    clock.advance(hours=1)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")

    [item] = await outbox.list()

    assert (item.recipient, item.kind, item.status) == (RESIDENT, "notification", "pending")
    assert item.dedup_key == f"status:{number}:2"
    [message] = item.messages
    assert message["text"] == notification_texts().render(
        number=number, status=TicketStatus.DIVERIFIKASI
    )
    assert message["custom"] == {"template_params": [number, "diverifikasi", "-"]}
    assert item.created_at == clock.now


async def test_a_refused_change_queues_nothing(world: tuple[Tabik, Outbox]) -> None:
    tabik, outbox = world
    number = await file_ticket(tabik, RESIDENT)

    with pytest.raises(InvalidTransition):
        await tabik.change_status(number, to="selesai", actor="officer:1")

    assert await outbox.list() == []


async def test_selesai_queues_the_rating_question_behind_the_notice(
    world: tuple[Tabik, Outbox],
) -> None:
    tabik, outbox = world
    number = await file_ticket(tabik, RESIDENT)
    for status in ("diverifikasi", "diteruskan", "diproses"):
        await tabik.change_status(number, to=status, actor="officer:1")
    assert await tabik.pending_rating(RESIDENT) is None

    await tabik.change_status(number, to="selesai", actor="officer:1")

    question, notice = (await outbox.list())[:2]  # newest first
    assert (notice.kind, notice.messages[0]["custom"]["template_params"][1]) == (
        "notification",
        "selesai",
    )
    assert question.kind == "reply"
    assert f"Bagaimana penanganan laporan {number}?" in question.messages[0]["text"]
    assert len(question.messages[0]["buttons"]) == 5
    pending = await tabik.pending_rating(RESIDENT)
    assert pending is not None and pending.number == number


async def test_a_rejection_asks_for_no_rating(world: tuple[Tabik, Outbox]) -> None:
    tabik, outbox = world
    number = await file_ticket(tabik, RESIDENT)

    await tabik.change_status(number, to="ditolak", actor="officer:1", note="Bukan wilayah kami")

    [item] = await outbox.list()
    assert "Bukan wilayah kami" in item.messages[0]["text"]
    assert item.messages[0]["custom"] == {
        "template_params": [number, "ditolak", "Bukan wilayah kami"]
    }
    assert await tabik.pending_rating(RESIDENT) is None


async def test_a_resident_tabik_cannot_reach_is_failed_at_once_and_asked_no_rating(
    world: tuple[Tabik, Outbox],
) -> None:
    tabik, outbox = world
    rest = ChatIdentity(channel="rest", account="tester")
    number = await file_ticket(tabik, rest)
    for status in ("diverifikasi", "diteruskan", "diproses", "selesai"):
        await tabik.change_status(number, to=status, actor="officer:1")

    items = await outbox.list()
    assert len(items) == 4
    assert {(i.kind, i.status) for i in items} == {("notification", "failed")}
    assert await tabik.pending_rating(rest) is None


async def test_without_a_messenger_no_status_changes(template: Path, tmp_path: Path) -> None:
    tabik, engine = make_tabik(database_from(template, tmp_path), Clock(T0))
    try:
        number = await file_ticket(tabik, RESIDENT)
        silent = Tabik(tabik.uow_factory, store=MemoryStore())
        with pytest.raises(NotConfigured):
            await silent.change_status(number, to="diverifikasi", actor="officer:1")
        view = await tabik.ticket_record(number)
        assert view.status is TicketStatus.DITERIMA
    finally:
        engine.dispose()
