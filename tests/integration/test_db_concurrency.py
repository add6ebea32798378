"""Ticket numbers and idempotency keys stay unique when filings race (threads, real DBs)."""

import asyncio
import itertools
import threading
import uuid
from collections.abc import Callable
from datetime import date

from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.domain.identity import ChatIdentity
from bot.domain.model import TicketKind
from bot.domain.tickets import ALPHABET, TicketNumber
from bot.services.tabik import Tabik
from bot.services.views import ComplaintDraft

FILINGS = 40
DRAFT = ComplaintDraft(category="sampah", description="Sampah menumpuk", kabupaten_kota="Metro")


class CollidingNumbers:
    """Hands out each of the first numbers twice, so concurrent filings must clash."""

    def __init__(self, doubled: int) -> None:
        self._lock = threading.Lock()
        self._calls = itertools.count()
        self._doubled = doubled
        # A prefix per test run: the PostgreSQL schema is shared by the session.
        self._prefix = "".join(ALPHABET[b % len(ALPHABET)] for b in uuid.uuid4().bytes[:2])
        self.calls = 0

    def __call__(self, kind: TicketKind, on: date) -> TicketNumber:
        with self._lock:
            call = next(self._calls)
            self.calls += 1
        index = call // 2 if call < self._doubled else call
        suffix = self._prefix + ALPHABET[index // len(ALPHABET)] + ALPHABET[index % len(ALPHABET)]
        return TicketNumber(kind=kind, issued=on.strftime("%y%m%d"), suffix=suffix)


def identity() -> ChatIdentity:
    return ChatIdentity(channel="rest", account=uuid.uuid4().hex)


async def test_concurrent_filings_get_distinct_numbers_despite_clashes(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    # Five numbers are handed out twice: at most five clashes in all, so no
    # filing can run out of its attempts however the threads interleave.
    doubled = 10
    numbers = CollidingNumbers(doubled=doubled)
    tabik = Tabik(uow_factory, store=MemoryStore(), number_generator=numbers)
    filers = [identity() for _ in range(FILINGS)]

    receipts = await asyncio.gather(*(tabik.file_complaint(DRAFT, identity=i) for i in filers))

    assert len({r.number for r in receipts}) == FILINGS
    assert all(r.created for r in receipts)
    assert numbers.calls >= FILINGS + doubled // 2  # every doubled number clashed once
    for filer, receipt in zip(filers, receipts):
        (view,) = await tabik.tickets_of(filer)
        assert view.number == receipt.number


async def test_concurrent_random_numbers_are_distinct(tabik: Tabik) -> None:
    receipts = await asyncio.gather(
        *(tabik.file_complaint(DRAFT, identity=identity()) for _ in range(FILINGS))
    )
    assert len({r.number for r in receipts}) == FILINGS


async def test_racing_confirmations_of_one_draft_file_one_ticket(tabik: Tabik) -> None:
    resident = identity()  # new to the database: its chat identity row races too

    receipts = await asyncio.gather(
        *(tabik.file_complaint(DRAFT, identity=resident, idempotency_key="d-1") for _ in range(10))
    )

    assert len({r.number for r in receipts}) == 1
    assert sum(r.created for r in receipts) == 1
    assert len(await tabik.tickets_of(resident)) == 1
