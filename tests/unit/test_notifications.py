"""Status notification texts and the outbox service methods."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.errors import NotificationNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketStatus
from bot.domain.notifications import (
    NotificationTexts,
    NotificationTextsInvalid,
    notification_texts,
    plain,
    template_params,
)
from bot.services.notifications import NOTIFICATION_MAX_ATTEMPTS
from bot.services.tabik import Tabik
from bot.services.views import NotificationView
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


# ---------------------------------------------------------------- service


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("outbox"))


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def tabik(template: Path, tmp_path: Path, clock: Clock) -> Iterator[Tabik]:
    tabik, engine = make_tabik(database_from(template, tmp_path), clock)
    yield tabik
    engine.dispose()


async def verified_notification(tabik: Tabik) -> tuple[str, NotificationView]:
    """A resident's ticket an officer verified: its number and its one pending notification."""
    number = await file_ticket(tabik, RESIDENT)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    [pending] = await tabik.pending_notifications()
    return number, pending


async def test_a_status_change_is_pending_for_the_filing_chat_account(
    tabik: Tabik, clock: Clock
) -> None:
    number = await file_ticket(tabik, RESIDENT)
    clock.advance(hours=1)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")

    [pending] = await tabik.pending_notifications()

    assert (pending.number, pending.status, pending.note) == (
        number,
        TicketStatus.DIVERIFIKASI,
        None,
    )
    assert pending.identity == RESIDENT
    assert (pending.created_at, pending.attempts) == (clock.now, 0)


async def test_a_sent_notification_is_no_longer_pending(tabik: Tabik) -> None:
    _, pending = await verified_notification(tabik)

    await tabik.mark_notification_sent(pending.id)
    await tabik.mark_notification_sent(pending.id)  # twice changes nothing

    assert await tabik.pending_notifications() == []
    assert await tabik.due_notification(pending.id) is None


async def test_a_failed_notification_waits_longer_each_time_then_is_given_up(
    tabik: Tabik, clock: Clock
) -> None:
    _, pending = await verified_notification(tabik)
    waits = []

    for attempt in range(1, NOTIFICATION_MAX_ATTEMPTS):
        await tabik.mark_notification_failed(pending.id, reason="HTTP 503", retry=True)
        assert await tabik.pending_notifications() == []  # backing off
        waited = 0
        while not await tabik.pending_notifications():
            clock.advance(seconds=10)
            waited += 10
        waits.append(waited)
        [again] = await tabik.pending_notifications()
        assert again.attempts == attempt

    await tabik.mark_notification_failed(pending.id, reason="HTTP 503", retry=True)
    clock.advance(days=1)

    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert await tabik.pending_notifications() == []


async def test_a_failure_without_retry_is_given_up_at_once_with_a_masked_reason(
    tabik: Tabik, clock: Clock
) -> None:
    number, pending = await verified_notification(tabik)

    await tabik.mark_notification_failed(
        pending.id, reason="recipient 081234567890 is not on WhatsApp", retry=False
    )
    clock.advance(days=1)

    assert await tabik.pending_notifications() == []
    with tabik.uow_factory() as uow:
        [row] = uow.notifications.for_ticket(_ticket_id(uow, number))
        assert row.status.value == "failed"
        assert row.attempts == 1
        assert row.failed_at == T0
        assert row.last_error is not None
        assert "081234567890" not in row.last_error
        assert "0812****90" in row.last_error


async def test_a_tickets_later_notification_waits_for_its_earlier_one(
    tabik: Tabik, clock: Clock
) -> None:
    number = await file_ticket(tabik, RESIDENT)
    other = await file_ticket(tabik, ChatIdentity(channel="telegram", account="555123"))
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    await tabik.change_status(number, to="diteruskan", actor="officer:1")
    await tabik.change_status(other, to="diverifikasi", actor="officer:1")

    first, other_one = await tabik.pending_notifications()
    assert (first.number, first.status) == (number, TicketStatus.DIVERIFIKASI)
    assert other_one.number == other

    await tabik.mark_notification_failed(first.id, reason="timeout", retry=True)
    assert [n.number for n in await tabik.pending_notifications()] == [other]

    clock.advance(minutes=5)
    await tabik.mark_notification_sent(first.id)
    [second, _] = await tabik.pending_notifications()
    assert (second.number, second.status) == (number, TicketStatus.DITERUSKAN)


async def test_an_unknown_notification_id_is_an_error(tabik: Tabik) -> None:
    with pytest.raises(NotificationNotFound):
        await tabik.mark_notification_sent(404)
    with pytest.raises(NotificationNotFound):
        await tabik.mark_notification_failed(404, reason="x", retry=True)


def _ticket_id(uow: object, number: str) -> int:
    ticket = uow.tickets.get(number)  # type: ignore[attr-defined]
    assert ticket is not None and ticket.id is not None
    return int(ticket.id)
