"""The notification outbox's service methods on the real databases (PostgreSQL and SQLite)."""

import uuid

from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketStatus
from bot.services.tabik import Tabik
from tests.auxil.outbox import file_ticket


async def test_pending_retry_and_sent_on_both_databases(tabik: Tabik) -> None:
    resident = ChatIdentity(channel="telegram", account=uuid.uuid4().hex[:12])
    number = await file_ticket(tabik, resident)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    await tabik.change_status(number, to="diteruskan", actor="officer:1")

    async def mine() -> list[tuple[TicketStatus, int]]:
        # The PostgreSQL schema is shared by the session's tests: only this ticket counts.
        pending = await tabik.pending_notifications(limit=1000)
        return [(n.status, n.attempts) for n in pending if n.number == number]

    assert await mine() == [(TicketStatus.DIVERIFIKASI, 0)]  # the later one waits its turn
    [first] = [n for n in await tabik.pending_notifications(limit=1000) if n.number == number]
    assert first.identity == resident

    await tabik.mark_notification_failed(first.id, reason="HTTP 502", retry=True)
    assert await mine() == []  # backing off, and the later one still waits

    await tabik.mark_notification_sent(first.id)
    assert await mine() == [(TicketStatus.DITERUSKAN, 0)]
