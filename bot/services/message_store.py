"""The store of durable messaging, as the inbound queue and the outbox see it.

Two queues of rows: ``inbound`` (a resident's message from its webhook until it is
answered) and ``outbox`` (what Tabik sends, until a platform took it). A
:class:`MessageStore` opens transactions; in one, :class:`MessageTables` stores,
claims and settles rows. Adapters implement both (``bot.adapters.db.message_queue``);
:class:`DurableQueue` is what :class:`~bot.services.inbound.InboundQueue` and
:class:`~bot.services.outbox.Outbox` share: claiming, releasing, counting and purging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Literal, Protocol, TypeVar

__all__ = [
    "DONE",
    "FAILED",
    "PENDING",
    "PROCESSING",
    "SENDING",
    "SENT",
    "DurableQueue",
    "MessageStore",
    "MessageTables",
    "Queue",
    "StoredRow",
    "ValueRefused",
    "utc_now",
]

# inbound state
PENDING = "pending"
PROCESSING = "processing"
DONE = "done"
FAILED = "failed"
# outbox status (PENDING and FAILED as above)
SENDING = "sending"
SENT = "sent"

Queue = Literal["inbound", "outbox"]
# One stored row, column by column.
StoredRow = Mapping[str, Any]
Clock = Callable[[], datetime]
_T = TypeVar("_T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ValueRefused(Exception):
    """The database refused a value it cannot hold (storing it again fails again)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MessageTables(Protocol):
    """Statements on both queues inside one transaction.

    A claim takes up to ``limit`` claimable rows of ``channel``, oldest first, each
    only while no earlier row of the same resident is still open.
    """

    # ------------------------------------------------------------------ both queues

    def claim(
        self, queue: Queue, *, channel: str, worker: str, now: datetime, until: datetime, limit: int
    ) -> list[StoredRow]: ...

    def release(self, queue: Queue, worker_prefix: str) -> int:
        """Rows claimed by the workers named ``worker_prefix``… back to pending."""

    def counts(self, queue: Queue) -> dict[str, int]:
        """Rows by state (inbound) or status (outbox)."""

    def purge(self, queue: Queue, before: datetime) -> int:
        """Settled inbound rows finished, or outbox rows sent, before ``before``."""

    # ------------------------------------------------------------------ inbound

    def store_inbound(self, values: Mapping[str, Any], state: str = PENDING) -> int | None:
        """Store one platform message; its row id, or None when it was stored before."""

    def amend_pending_inbound(
        self,
        channel: str,
        platform_id: str,
        sender_id: str,
        amend: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> bool:
        """Rewrite a sender's message no worker has taken yet; False when there is none."""

    def touch_identity(self, channel: str, account: str, at: datetime, now: datetime) -> None:
        """Record the resident's latest message time (never moving it backwards)."""

    def last_inbound_at(self, channel: str, account: str) -> datetime | None: ...

    def renew_inbound(self, ids: Sequence[int], worker: str, until: datetime) -> int: ...

    def settle_inbound(
        self, message_id: int, worker: str, state: str, now: datetime, error: str | None
    ) -> bool:
        """Done or failed, if this worker still holds the claim; False when it lost it."""

    # ------------------------------------------------------------------ outbox

    def add_outbox(self, values: Mapping[str, Any]) -> int:
        """Insert unless the dedup key exists; the row id either way."""

    def update_outbox(self, item_id: int, worker: str, values: Mapping[str, Any]) -> bool:
        """Change a row this worker holds; False when its claim was lost."""

    def list_outbox(self, statuses: Sequence[str], limit: int) -> list[StoredRow]: ...

    def retry_outbox(self, ids: Sequence[int] | None, now: datetime) -> int:
        """Failed rows (all, or those in ``ids``) pending again, due now, with fresh attempts."""

    def oldest_unsent(self) -> datetime | None:
        """When the oldest row not yet sent (pending or sending) was queued."""


class MessageStore(Protocol):
    def transaction(self) -> AbstractContextManager[MessageTables]:
        """One transaction, committed when the block ends without an error; a value the
        database refuses raises :class:`ValueRefused`."""

    def joined(self, uow: Any) -> MessageTables:
        """The tables inside a caller's unit of work on the same database: what is
        written there commits (or rolls back) with it."""


@dataclass(eq=False)
class DurableQueue:
    """What the inbound queue and the outbox share: the store, the clock and the lease,
    and claiming, releasing, counting and purging rows of ``queue``.

    All database work runs in a worker thread.
    """

    queue: ClassVar[Queue]
    store: MessageStore
    _: KW_ONLY
    clock: Clock = utc_now
    lease: float = 120.0  # seconds a claim holds before another worker may take the row

    async def _run(self, work: Callable[[MessageTables], _T]) -> _T:
        def in_thread() -> _T:
            with self.store.transaction() as tables:
                return work(tables)

        return await asyncio.to_thread(in_thread)

    async def _claim(self, channel: str, worker: str, limit: int) -> list[StoredRow]:
        now = self.clock()
        until = now + timedelta(seconds=self.lease)
        return await self._run(
            lambda t: t.claim(
                self.queue, channel=channel, worker=worker, now=now, until=until, limit=limit
            )
        )

    async def release(self, worker_prefix: str) -> int:
        """Rows claimed by ``worker_prefix…`` back to pending (shutdown, or a dead instance)."""
        return await self._run(lambda t: t.release(self.queue, worker_prefix))

    async def counts(self) -> dict[str, int]:
        return await self._run(lambda t: t.counts(self.queue))

    async def _purge(self, older_than: timedelta) -> int:
        before = self.clock() - older_than
        return await self._run(lambda t: t.purge(self.queue, before))
