"""The outbox: everything Tabik sends to residents waits here until a platform took it.

Replies to a turn, status notifications and staff messages are rows of the
message store's outbox queue (:mod:`bot.services.message_store`): a list of Rasa
bot messages (``{"text", "buttons": [{"title", "payload"}], "image", "custom"}``)
for one recipient, with a unique key so that enqueuing twice is harmless. The channels'
senders (``channels.outbound``) claim due rows, send them and settle them here;
one resident's rows go out one at a time, in the order they were enqueued.

A row that keeps failing is tried again with capped backoff for
``give_up_after`` (24 hours by default), then marked failed; ``python -m
bot.cli outbox list|retry`` shows and resends those.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.domain.identity import ChatIdentity
from bot.domain.privacy import mask_text
from bot.services.message_store import (
    FAILED,
    PENDING,
    SENT,
    DurableQueue,
    MessageTables,
    Queue,
    StoredRow,
    utc_now,
)
from bot.services.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)

KINDS = frozenset({"reply", "notification", "staff"})
# Only these channels have a sender; anything else is recorded as failed at once.
REACHABLE_CHANNELS = frozenset({"whatsapp", "telegram"})
# WhatsApp allows free text for 24 hours after the resident's last message; starting
# templates a little early avoids racing Meta's own clock.
SERVICE_WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=5)
LAST_ERROR_MAX_CHARS = 500
# A resend from the CLI gets at least this many tries before the deadline applies again.
MIN_ATTEMPTS = 3

# Rasa bot messages for one recipient: {"text", "buttons", "image", "custom"}.
BotMessages = Sequence[Mapping[str, Any]]


class UnknownOutboxKind(ValueError):
    """A row of a kind none of KINDS was offered to the outbox."""


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row as senders and operators see it."""

    id: int
    recipient: ChatIdentity
    kind: str
    messages: tuple[dict[str, Any], ...]
    dedup_key: str
    status: str
    attempts: int
    parts_sent: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_row(cls, row: StoredRow) -> OutboxItem:
        return cls(
            id=int(row["id"]),
            recipient=ChatIdentity.from_sender_id(row["sender_id"]),
            kind=str(row["kind"]),
            messages=tuple(dict(m) for m in row["payload"] or []),
            dedup_key=str(row["dedup_key"]),
            status=str(row["status"]),
            attempts=int(row["attempts"]),
            parts_sent=int(row["parts_sent"]),
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            sent_at=row["sent_at"],
        )


def describe_error(error: BaseException | str) -> str:
    """An error as stored in ``last_error``: personal data masked, length bounded."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return mask_text(text)[:LAST_ERROR_MAX_CHARS]


@dataclass(eq=False, kw_only=True)
class Outbox(DurableQueue):
    """Enqueue, claim and settle outbox rows."""

    queue: ClassVar[Queue] = "outbox"
    give_up_after: timedelta = timedelta(hours=24)

    # ------------------------------------------------------------------ enqueue

    async def enqueue(
        self, recipient: ChatIdentity, messages: BotMessages, *, kind: str, key: str
    ) -> int:
        """Queue ``messages`` for ``recipient``; the row id. Idempotent on ``key``.

        A recipient on a channel without a sender (REST, terminal) is recorded as
        failed at once, so it shows in ``outbox list`` instead of waiting forever.
        """
        now = self.clock()
        return await self._run(
            lambda tables: self.enqueue_in(tables, recipient, messages, kind=kind, key=key, now=now)
        )

    def enqueue_within(
        self,
        uow: AbstractUnitOfWork,
        recipient: ChatIdentity,
        messages: BotMessages,
        *,
        kind: str,
        key: str,
    ) -> None:
        """:meth:`enqueue` in a unit of work on the same database: the message is queued
        only if the unit of work commits (a ticket and its notice, together)."""
        tables = self.store.joined(uow)
        self.enqueue_in(tables, recipient, messages, kind=kind, key=key, now=self.clock())

    def enqueue_in(
        self,
        tables: MessageTables,
        recipient: ChatIdentity,
        messages: BotMessages,
        *,
        kind: str,
        key: str,
        now: datetime,
    ) -> int:
        """:meth:`enqueue` inside a caller's transaction (inbound turns settle in the same one)."""
        if kind not in KINDS:
            raise UnknownOutboxKind(f"outbox kind must be one of {sorted(KINDS)}, not {kind!r}")
        reachable = recipient.channel in REACHABLE_CHANNELS
        return tables.add_outbox(
            {
                "sender_id": recipient.sender_id,
                "channel": recipient.channel,
                "kind": kind,
                "payload": [dict(m) for m in messages],
                "dedup_key": key,
                "status": PENDING if reachable else FAILED,
                "attempts": 0,
                "parts_sent": 0,
                "last_error": None if reachable else f"channel {recipient.channel} has no sender",
                "created_at": now,
            }
        )

    # ------------------------------------------------------------------ senders

    async def claim(self, *, channel: str, worker: str, limit: int = 20) -> list[OutboxItem]:
        """Due rows of ``channel`` for ``worker``: each one the oldest open row of its resident."""
        return [OutboxItem.from_row(row) for row in await self._claim(channel, worker, limit)]

    async def renew(self, item_id: int, *, worker: str) -> bool:
        until = self.clock() + timedelta(seconds=self.lease)
        return await self._run(lambda t: t.update_outbox(item_id, worker, {"claimed_until": until}))

    async def record_progress(self, item_id: int, *, worker: str, parts_sent: int) -> bool:
        """How many of the row's messages went out (a retry starts after them)."""
        return await self._run(
            lambda t: t.update_outbox(item_id, worker, {"parts_sent": parts_sent})
        )

    async def mark_sent(self, item: OutboxItem, *, worker: str, parts_sent: int) -> bool:
        now = self.clock()
        values = {
            "status": SENT,
            "sent_at": now,
            "parts_sent": parts_sent,
            "claimed_until": None,
            "next_attempt_at": None,
            "attempts": item.attempts + 1,
        }
        return await self._run(lambda t: t.update_outbox(item.id, worker, values))

    async def mark_retry(
        self,
        item: OutboxItem,
        *,
        worker: str,
        error: BaseException | str,
        delay: float,
        parts_sent: int,
    ) -> str:
        """Try again after ``delay`` seconds, or give up past the deadline; the new status."""
        now = self.clock()
        attempts = item.attempts + 1
        expired = now - item.created_at >= self.give_up_after and attempts >= MIN_ATTEMPTS
        values: dict[str, Any] = {
            "attempts": attempts,
            "parts_sent": parts_sent,
            "last_error": describe_error(error),
            "claimed_until": None,
        }
        if expired:
            values.update(status=FAILED, next_attempt_at=None)
        else:
            values.update(status=PENDING, next_attempt_at=now + timedelta(seconds=delay))
        await self._run(lambda t: t.update_outbox(item.id, worker, values))
        if expired:
            log.error(
                "outbox %d to %s given up after %d attempt(s): %s",
                item.id,
                item.recipient.masked(),
                attempts,
                values["last_error"],
            )
        return str(values["status"])

    async def mark_failed(
        self, item: OutboxItem, *, worker: str, error: BaseException | str, parts_sent: int
    ) -> bool:
        """No retry can cure it (blocked, not on the platform, refused as built)."""
        values = {
            "status": FAILED,
            "attempts": item.attempts + 1,
            "parts_sent": parts_sent,
            "last_error": describe_error(error),
            "claimed_until": None,
            "next_attempt_at": None,
        }
        return await self._run(lambda t: t.update_outbox(item.id, worker, values))

    # ------------------------------------------------------------------ window

    async def last_inbound_at(self, recipient: ChatIdentity) -> datetime | None:
        return await self._run(lambda t: t.last_inbound_at(recipient.channel, recipient.account))

    async def window_open(self, recipient: ChatIdentity) -> bool:
        """Whether WhatsApp still takes free text for this resident (24 h after their message)."""
        last = await self.last_inbound_at(recipient)
        return last is not None and self.clock() - last < SERVICE_WINDOW - WINDOW_MARGIN

    # ------------------------------------------------------------------ operators

    async def list(self, *, statuses: Sequence[str] = (), limit: int = 50) -> list[OutboxItem]:
        rows = await self._run(lambda t: t.list_outbox(statuses, limit))
        return [OutboxItem.from_row(row) for row in rows]

    async def retry(self, ids: Sequence[int] | None = None) -> int:
        """Failed rows (all, or ``ids``) queued again now; how many."""
        now = self.clock()
        return await self._run(lambda t: t.retry_outbox(ids, now))

    async def oldest_unsent_age(self) -> float:
        """Seconds since the oldest message not yet sent was queued; 0 when none waits."""
        oldest = await self._run(lambda t: t.oldest_unsent())
        return 0.0 if oldest is None else max(0.0, (self.clock() - oldest).total_seconds())

    async def purge(self, older_than: timedelta) -> int:
        """Delete rows sent longer than ``older_than`` ago; how many."""
        return await self._purge(older_than)


__all__ = [
    "KINDS",
    "SERVICE_WINDOW",
    "BotMessages",
    "Outbox",
    "OutboxItem",
    "UnknownOutboxKind",
    "describe_error",
    "utc_now",
]
