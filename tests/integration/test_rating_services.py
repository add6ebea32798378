"""Rating after selesai on PostgreSQL and SQLite: asked per chat account, answered once,
lapsing after three days, shown on the ticket page and audited."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.errors import RatingNotPending
from bot.domain.identity import ChatIdentity
from bot.domain.staff import Role
from tests.auxil.staff import PASSWORD, build, complaint, unique


@pytest.fixture
async def staff(database_url, clock) -> AsyncIterator:
    services = build(database_url, clock=clock)
    yield services
    services.engine.dispose()


async def done_ticket(staff) -> tuple[str, ChatIdentity, object]:
    """A complaint taken to selesai by an officer: (number, the filer's chat, the officer)."""
    account = unique("62812")
    number = await complaint(staff.tabik, account=account, desa=unique("Desa"))
    officer = await staff.accounts.add(
        unique("u"), role=Role.OFFICER, password=PASSWORD, kabupaten_kota="Lampung Selatan"
    )
    for status in ("diverifikasi", "diteruskan", "diproses", "selesai"):
        await staff.desk.change_status(
            officer, number, to=status, note="Sudah diperbaiki" if status == "selesai" else None
        )
    return number, ChatIdentity(channel="whatsapp", account=account), officer


async def test_a_rating_is_asked_answered_with_a_reason_and_shown_on_the_ticket(staff, clock):
    number, resident, officer = await done_ticket(staff)

    # Asked with the selesai notice, in the status change's transaction.
    pending = await staff.tabik.pending_rating(resident)
    assert pending is not None and pending.number == number
    assert pending.asked_at == clock()
    assert await staff.tabik.request_rating(number, identity=resident) is True  # harmless again

    clock.advance(hours=2)
    await staff.tabik.rate_ticket(number, 4, identity=resident)
    await staff.tabik.explain_rating(number, "Petugas cepat datang", identity=resident)

    # Answered: the next bare number means the menu again, and nothing is asked twice.
    assert await staff.tabik.pending_rating(resident) is None
    assert await staff.tabik.request_rating(number, identity=resident) is False
    with pytest.raises(RatingNotPending):
        await staff.tabik.rate_ticket(number, 1, identity=resident)
    with pytest.raises(RatingNotPending):
        await staff.tabik.explain_rating(number, "lagi", identity=resident)

    page = await staff.desk.ticket(officer, number)
    shown = page.as_json()["rating"]
    assert shown == {
        "score": 4,
        "comment": "Petugas cepat datang",
        "rated_at": clock().isoformat(),
    }
    admin = await staff.accounts.add(unique("a"), role=Role.ADMIN, password=PASSWORD)
    entries = await staff.audit.entries(admin, limit=50)
    actions = [(e["action"], e["ticket"]) for e in entries if e["ticket"] == number]
    assert ("ticket.rated", number) in actions
    assert ("ticket.rating_explained", number) in actions


async def test_a_question_lapses_after_three_days(staff, clock):
    number, resident, _ = await done_ticket(staff)
    await staff.tabik.request_rating(number, identity=resident)

    clock.advance(days=3, minutes=1)

    assert await staff.tabik.pending_rating(resident) is None
    with pytest.raises(RatingNotPending):
        await staff.tabik.rate_ticket(number, 5, identity=resident)


async def test_only_the_chat_that_was_asked_may_answer_and_only_1_to_5(staff):
    number, resident, _ = await done_ticket(staff)
    stranger = ChatIdentity(channel="whatsapp", account=unique("62899"))
    await staff.tabik.request_rating(number, identity=resident)

    with pytest.raises(RatingNotPending):
        await staff.tabik.rate_ticket(number, 5, identity=stranger)
    with pytest.raises(ValueError):
        await staff.tabik.rate_ticket(number, 6, identity=resident)
    assert await staff.tabik.pending_rating(stranger) is None
    assert (await staff.tabik.pending_rating(resident)) is not None


async def test_an_open_ticket_is_not_asked_and_a_newer_question_replaces_the_older(staff):
    account = unique("62812")
    resident = ChatIdentity(channel="whatsapp", account=account)
    open_one = await complaint(staff.tabik, account=account, desa=unique("Desa"))
    assert await staff.tabik.request_rating(open_one, identity=resident) is False

    first, _, _ = await done_ticket(staff)
    second, _, _ = await done_ticket(staff)
    await staff.tabik.request_rating(first, identity=resident)
    await staff.tabik.request_rating(second, identity=resident)

    pending = await staff.tabik.pending_rating(resident)
    assert pending is not None and pending.number == second
