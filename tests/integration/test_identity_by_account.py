"""Identity is the chat account: a NIK never merges residents, and a chat account files a
limited number of complaints a day (both databases)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.domain.errors import DailyLimitReached
from bot.domain.identity import ChatIdentity
from bot.services.tabik import Tabik
from bot.services.views import ApplicationDraft, ComplaintDraft
from tests.auxil.outbox import Clock
from tests.auxil.services import unique_name

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


def identity(channel: str = "whatsapp") -> ChatIdentity:
    return ChatIdentity(channel=channel, account=uuid.uuid4().hex[:12])


def fresh_nik() -> str:
    # Born 15-08-19xx (a woman: day + 40); year and serial vary so runs rarely share a NIK.
    return f"1871015508{uuid.uuid4().int % 100:02d}{uuid.uuid4().int % 9999 + 1:04d}"


def application(nik: str, name: str, phone: str) -> ApplicationDraft:
    return ApplicationDraft(
        document_type="ktp",
        nik=nik,
        full_name=name,
        kabupaten_kota="Bandar Lampung",
        phone_number=phone,
    )


def flagged(uow_factory: UowFactory, number: str) -> tuple[bool, list[str]]:
    with uow_factory() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None
        return ticket.nik_known_elsewhere, [e.action for e in uow.audit.for_subject(number)]


async def test_a_known_nik_from_another_account_is_filed_flagged_and_shows_nobody_else(
    tabik: Tabik, uow_factory: UowFactory
) -> None:
    victim, stranger = identity(), identity("telegram")
    nik = fresh_nik()
    first = await tabik.apply_for_document(
        application(nik, "Siti Aminah", "081234567890"), identity=victim
    )
    second = await tabik.apply_for_document(
        application(nik, "Rudi Hartono", "085799887766"), identity=stranger
    )

    view = await tabik.ticket_status(second.number, identity=stranger)
    assert second.created and view.details is not None
    assert view.details.full_name == "Rudi Hartono"
    assert view.details.phone_masked == "0857******66"
    mine = await tabik.tickets_of(stranger)
    assert [t.number for t in mine] == [second.number]
    assert all(t.details and t.details.full_name == "Rudi Hartono" for t in mine)
    # The victim's own ticket and details stay theirs.
    theirs = await tabik.ticket_status(first.number, identity=victim)
    assert theirs.details is not None and theirs.details.full_name == "Siti Aminah"
    assert theirs.details.phone_masked == "0812******90"

    assert flagged(uow_factory, first.number) == (False, ["ticket.filed"])
    assert flagged(uow_factory, second.number) == (
        True,
        ["ticket.filed", "ticket.nik_known_elsewhere"],
    )
    with uow_factory() as uow:
        for entry in uow.audit.for_subject(second.number):
            assert nik not in str(entry.details)


async def test_the_same_account_applying_again_is_one_resident_and_not_flagged(
    tabik: Tabik, uow_factory: UowFactory
) -> None:
    applicant, nik = identity(), fresh_nik()
    one = await tabik.apply_for_document(
        application(nik, "Siti Aminah", "081234567890"), identity=applicant
    )
    two = await tabik.apply_for_document(
        application(nik, "Siti Aminah Putri", "081234567899"), identity=applicant
    )
    assert flagged(uow_factory, two.number) == (False, ["ticket.filed"])
    with uow_factory() as uow:
        first, second = uow.tickets.get(one.number), uow.tickets.get(two.number)
        assert first is not None and second is not None
        assert first.resident_id == second.resident_id
        resident = uow.residents.get(second.resident_id or 0)
        assert resident is not None and resident.full_name == "Siti Aminah Putri"


def complaint(n: int) -> ComplaintDraft:
    return ComplaintDraft(category="sampah", description=f"Sampah menumpuk, laporan {n}")


async def test_complaints_per_chat_account_and_day(uow_factory: UowFactory) -> None:
    # 23:00 WIB: the day ends in an hour.
    clock = Clock(datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc))
    tabik = Tabik(
        uow_factory,
        store=MemoryStore(prefix=unique_name("test") + ":"),
        clock=clock,
        complaints_per_day=2,
    )
    resident, neighbour = identity(), identity()
    first = await tabik.file_complaint(complaint(1), identity=resident, idempotency_key="a")
    await tabik.file_complaint(complaint(2), identity=resident, idempotency_key="b")
    with pytest.raises(DailyLimitReached) as refused:
        await tabik.file_complaint(complaint(3), identity=resident, idempotency_key="c")
    assert (refused.value.what, refused.value.limit) == ("complaints", 2)
    # A repeated confirmation files nothing new, so the limit does not refuse it.
    again = await tabik.file_complaint(complaint(1), identity=resident, idempotency_key="a")
    assert (again.number, again.created) == (first.number, False)
    # Another chat account has its own count.
    assert (await tabik.file_complaint(complaint(4), identity=neighbour)).created
    # Midnight in Lampung: a new day.
    clock.advance(hours=1)
    assert (await tabik.file_complaint(complaint(5), identity=resident)).created


async def test_the_staff_desk_sets_no_limit(uow_factory: UowFactory) -> None:
    tabik = Tabik(
        uow_factory, store=MemoryStore(prefix=unique_name("t") + ":"), complaints_per_day=None
    )
    desk = ChatIdentity(channel="console", account="staff:" + uuid.uuid4().hex[:6])
    for n in range(12):
        await tabik.file_complaint(complaint(n), identity=desk)
