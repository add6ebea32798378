"""The message store on the system of record: SQL of the inbound queue and the outbox.

:class:`MessageQueueTables` (the :class:`~bot.services.message_store.MessageTables`
port) works inside one transaction (a ``Connection`` from ``engine.begin()``);
:class:`SqlMessageStore` opens those transactions. The services in
``bot.services.inbound`` and ``bot.services.outbox`` decide leases, attempts and
backoff; :func:`outbox_on` and :func:`inbound_on` build them on an engine.

Claims: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``, so any number of
instances take distinct rows without waiting for each other; on SQLite the
engine begins every transaction with ``BEGIN IMMEDIATE``, so claims are
serialised by the database's write lock (one host). In both, a row is only
claimable while no earlier row of the same resident is still open: one
resident's messages go one at a time, in the order they were stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Column, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.adapters.db.orm import chat_identities
from bot.adapters.db.tables_messaging import inbound_messages, outbox
from bot.services.inbound import InboundQueue
from bot.services.message_store import (
    DONE,
    FAILED,
    PENDING,
    PROCESSING,
    SENDING,
    SENT,
    Queue,
    StoredRow,
    ValueRefused,
)
from bot.services.outbox import Outbox

INBOUND_OPEN = (PENDING, PROCESSING)
OUTBOX_OPEN = (PENDING, SENDING)


class MessageQueueTables:
    """Statements on ``inbound_messages``, ``outbox`` and ``chat_identities.last_inbound_at``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    # ------------------------------------------------------------------ helpers

    def _insert_ignoring(
        self, table: Any, values: Mapping[str, Any], conflict: Sequence[str]
    ) -> bool:
        """INSERT unless a row with the same ``conflict`` columns exists; True when inserted."""
        if self.dialect == "postgresql":
            statement = postgresql.insert(table).values(**values)
        elif self.dialect == "sqlite":
            statement = sqlite.insert(table).values(**values)
        else:  # pragma: no cover - the system of record is PostgreSQL or SQLite
            raise NotImplementedError(f"durable messaging on {self.dialect}")
        result = self.connection.execute(statement.on_conflict_do_nothing(index_elements=conflict))
        return bool(result.rowcount == 1)

    def _locking(self, statement: Select, table: Any) -> Select:
        if self.dialect == "postgresql":
            return statement.with_for_update(skip_locked=True, of=table)
        return statement

    def _rowcount(self, statement: Any) -> int:
        return int(self.connection.execute(statement).rowcount)

    def _claim(
        self,
        state: Column,
        open_states: Sequence[str],
        channel: str,
        claimable: Any,
        limit: int,
        claimed: Mapping[str, Any],
    ) -> list[StoredRow]:
        """Lock up to ``limit`` ``claimable`` rows of ``channel``, oldest first, each only
        while no earlier row of the same sender is in ``open_states``; set ``claimed`` on them."""
        table = state.table
        earlier = table.alias("earlier")
        earlier_open = (
            select(earlier.c.id)
            .where(
                earlier.c.sender_id == table.c.sender_id,
                earlier.c.id < table.c.id,
                earlier.c[state.name].in_(open_states),
            )
            .exists()
        )
        candidates = self._locking(
            select(table.c.id)
            .where(table.c.channel == channel, claimable, ~earlier_open)
            .order_by(table.c.id)
            .limit(limit),
            table,
        )
        ids = [int(i) for i in self.connection.execute(candidates).scalars()]
        if not ids:
            return []
        self.connection.execute(update(table).where(table.c.id.in_(ids)).values(**claimed))
        chosen = select(table).where(table.c.id.in_(ids)).order_by(table.c.id)
        return [dict(row._mapping) for row in self.connection.execute(chosen)]

    def _release(self, state: Column, held: str, worker_prefix: str) -> int:
        """Rows ``held`` by the workers named ``worker_prefix``… back to pending."""
        table = state.table
        return self._rowcount(
            update(table)
            .where(state == held, table.c.claimed_by.like(f"{worker_prefix}%"))
            .values({state.name: PENDING, "claimed_by": None, "claimed_until": None})
        )

    def _counts(self, state: Column) -> dict[str, int]:
        rows = self.connection.execute(select(state, func.count()).group_by(state))
        return {str(value): int(count) for value, count in rows}

    # ------------------------------------------------------------------ both queues

    def claim(
        self, queue: Queue, *, channel: str, worker: str, now: datetime, until: datetime, limit: int
    ) -> list[StoredRow]:
        if queue == "inbound":
            m = inbound_messages
            return self._claim(
                m.c.state,
                INBOUND_OPEN,
                channel,
                or_(m.c.state == PENDING, and_(m.c.state == PROCESSING, m.c.claimed_until < now)),
                limit,
                {
                    "state": PROCESSING,
                    "claimed_by": worker,
                    "claimed_until": until,
                    "attempts": m.c.attempts + 1,
                },
            )
        o = outbox
        due = or_(o.c.next_attempt_at.is_(None), o.c.next_attempt_at <= now)
        return self._claim(
            o.c.status,
            OUTBOX_OPEN,
            channel,
            or_(
                and_(o.c.status == PENDING, due),
                and_(o.c.status == SENDING, o.c.claimed_until < now),
            ),
            limit,
            {"status": SENDING, "claimed_by": worker, "claimed_until": until},
        )

    def release(self, queue: Queue, worker_prefix: str) -> int:
        """Claims of the given worker (or of every worker of a dead instance) back to pending."""
        if queue == "inbound":
            return self._release(inbound_messages.c.state, PROCESSING, worker_prefix)
        return self._release(outbox.c.status, SENDING, worker_prefix)

    def counts(self, queue: Queue) -> dict[str, int]:
        return self._counts(inbound_messages.c.state if queue == "inbound" else outbox.c.status)

    def purge(self, queue: Queue, before: datetime) -> int:
        """Settled messages finished before ``before`` (their ids no longer de-duplicate),
        or outbox rows sent before it (failed rows stay for operators to resend)."""
        if queue == "inbound":
            m = inbound_messages
            return self._rowcount(
                delete(m).where(m.c.state.in_((DONE, FAILED)), m.c.done_at < before)
            )
        o = outbox
        return self._rowcount(delete(o).where(o.c.status == SENT, o.c.sent_at < before))

    # ------------------------------------------------------------------ inbound

    def store_inbound(self, values: Mapping[str, Any], state: str = PENDING) -> int | None:
        """Store one platform message; its row id, or None when it was stored before."""
        row = dict(values, state=state, attempts=0)
        if not self._insert_ignoring(inbound_messages, row, ("channel", "platform_id")):
            return None
        found = self.connection.execute(
            select(inbound_messages.c.id).where(
                inbound_messages.c.channel == values["channel"],
                inbound_messages.c.platform_id == values["platform_id"],
            )
        ).scalar_one()
        return int(found)

    def amend_pending_inbound(
        self,
        channel: str,
        platform_id: str,
        sender_id: str,
        amend: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> bool:
        """Rewrite the stored message of a sender's message no worker has taken yet;
        False when there is none (unknown, another sender's, or already taken)."""
        m = inbound_messages
        query = select(m.c.id, m.c.message).where(
            m.c.channel == channel,
            m.c.platform_id == platform_id,
            m.c.sender_id == sender_id,
            m.c.state == PENDING,
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(of=m)  # waits for a claim being taken right now
        row = self.connection.execute(query).first()
        if row is None:
            return False
        statement = (
            update(m)
            .where(m.c.id == row.id, m.c.state == PENDING)
            .values(message=amend(dict(row.message or {})))
        )
        return self._rowcount(statement) == 1

    def touch_identity(self, channel: str, account: str, at: datetime, now: datetime) -> None:
        """Record the resident's latest message time (never moving it backwards)."""
        self._insert_ignoring(
            chat_identities,
            {"channel": channel, "account": account, "created_at": now},
            ("channel", "account"),
        )
        column = chat_identities.c.last_inbound_at
        self.connection.execute(
            update(chat_identities)
            .where(
                chat_identities.c.channel == channel,
                chat_identities.c.account == account,
                or_(column.is_(None), column < at),
            )
            .values(last_inbound_at=at)
        )

    def last_inbound_at(self, channel: str, account: str) -> datetime | None:
        value = self.connection.execute(
            select(chat_identities.c.last_inbound_at).where(
                chat_identities.c.channel == channel, chat_identities.c.account == account
            )
        ).scalar_one_or_none()
        return value  # type: ignore[no-any-return]

    def renew_inbound(self, ids: Sequence[int], worker: str, until: datetime) -> int:
        m = inbound_messages
        return self._rowcount(
            update(m)
            .where(m.c.id.in_(list(ids)), m.c.claimed_by == worker, m.c.state == PROCESSING)
            .values(claimed_until=until)
        )

    def settle_inbound(
        self, message_id: int, worker: str, state: str, now: datetime, error: str | None
    ) -> bool:
        """Done or failed, if this worker still holds the claim; False when it lost it."""
        m = inbound_messages
        settled = self._rowcount(
            update(m)
            .where(m.c.id == message_id, m.c.claimed_by == worker, m.c.state == PROCESSING)
            .values(state=state, done_at=now, claimed_until=None, last_error=error)
        )
        return settled == 1

    # ------------------------------------------------------------------ outbox

    def add_outbox(self, values: Mapping[str, Any]) -> int:
        """Insert unless the dedup key exists; the row id either way."""
        self._insert_ignoring(outbox, values, ("dedup_key",))
        found = self.connection.execute(
            select(outbox.c.id).where(outbox.c.dedup_key == values["dedup_key"])
        ).scalar_one()
        return int(found)

    def update_outbox(self, item_id: int, worker: str, values: Mapping[str, Any]) -> bool:
        """Change a row this worker holds; False when its claim was lost."""
        o = outbox
        updated = self._rowcount(
            update(o)
            .where(o.c.id == item_id, o.c.claimed_by == worker, o.c.status == SENDING)
            .values(**values)
        )
        return updated == 1

    def list_outbox(self, statuses: Sequence[str], limit: int) -> list[StoredRow]:
        o = outbox
        statement = select(o).order_by(o.c.id.desc()).limit(limit)
        if statuses:
            statement = statement.where(o.c.status.in_(list(statuses)))
        return [dict(row._mapping) for row in self.connection.execute(statement)]

    def retry_outbox(self, ids: Sequence[int] | None, now: datetime) -> int:
        """Failed rows (all, or those in ``ids``) pending again, due now, with fresh attempts."""
        o = outbox
        statement = update(o).where(o.c.status == FAILED)
        if ids is not None:
            statement = statement.where(o.c.id.in_(list(ids)))
        return self._rowcount(
            statement.values(
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                claimed_by=None,
                claimed_until=None,
            )
        )

    def oldest_unsent(self) -> datetime | None:
        """When the oldest row not yet sent (pending or sending) was queued."""
        o = outbox
        return self.connection.execute(
            select(func.min(o.c.created_at)).where(o.c.status.in_((PENDING, SENDING)))
        ).scalar_one()


class SqlMessageStore:
    """Transactions on the system of record, each with its :class:`MessageQueueTables`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[MessageQueueTables]:
        try:
            with self.engine.begin() as connection:
                yield MessageQueueTables(connection)
        except DataError as refused:
            raise ValueRefused(type(refused.orig).__name__) from refused

    def joined(self, uow: Any) -> MessageQueueTables:
        session = getattr(uow, "session", None)
        if not isinstance(session, Session):
            raise TypeError(f"the message store joins a SQLAlchemy unit of work, not {uow!r}")
        return MessageQueueTables(session.connection())


def outbox_on(engine: Engine, **options: Any) -> Outbox:
    """The outbox on ``engine`` (``clock``, ``lease``, ``give_up_after`` as in :class:`Outbox`)."""
    return Outbox(SqlMessageStore(engine), **options)


def inbound_on(engine: Engine, outbox: Outbox, **options: Any) -> InboundQueue:
    """The inbound queue on ``engine``, handing its replies to ``outbox``."""
    return InboundQueue(SqlMessageStore(engine), outbox, **options)


__all__ = ["MessageQueueTables", "SqlMessageStore", "inbound_on", "outbox_on"]
