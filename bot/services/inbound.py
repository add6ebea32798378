"""The inbound store: a resident's message is kept from its webhook's 200 until it is answered.

A webhook stores what it parsed (:meth:`InboundQueue.accept`) before it answers
the platform; a redelivery of a stored platform id is recognised and dropped
there. Workers in any instance then :meth:`~InboundQueue.claim` messages (one
resident at a time, in the order they were stored), run the turn, and
:meth:`~InboundQueue.complete` it: the turn's replies go into the outbox and the
message is marked done in one transaction, so a crash leaves either both or
neither. A claim is a lease: a worker renews it while the turn runs, and a
message whose worker died is claimed again once the lease has run out (at once
by the same instance when it restarts, :meth:`~InboundQueue.release`).

Storing also records the resident's latest message time on their chat account
(``last_inbound_at``), which decides WhatsApp's 24-hour window in every process.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.domain.identity import ChatIdentity
from bot.services.message_store import (
    DONE,
    FAILED,
    DurableQueue,
    MessageTables,
    Queue,
    StoredRow,
    ValueRefused,
)
from bot.services.outbox import Outbox, describe_error

log = logging.getLogger(__name__)

# Meta redelivers an unacknowledged webhook for up to 7 days; a day more to be sure.
REDELIVERY_HORIZON = timedelta(days=8)

# What the store's columns hold (inbound rows, chat accounts): a longer id is
# no resident's, and would make the database refuse the whole delivery for good.
MAX_ACCOUNT = 128
MAX_SENDER_ID = 160
MAX_PLATFORM_ID = 200
# The parts of a stored message an edit replaces (its ids and place in line stay).
EDITABLE = ("text", "metadata", "unsupported")


def _corrected(edit: Mapping[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """The original stored message with what an edit corrects (its ids stay)."""
    return {**original, **{key: edit.get(key) for key in EDITABLE}}


class UnstorableMessage(ValueError):
    """A platform message the store cannot hold as it is (an over-long id): refused for
    good, since storing it again would fail again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def storable(value: Any) -> Any:
    """``value`` as JSON every database keeps: NaN and infinities become None, NUL
    characters and lone surrogates (which PostgreSQL refuses, SQLite keeps) are removed."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        if value.isascii():
            return value.replace("\x00", "")
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    if isinstance(value, Mapping):
        return {str(storable(k)): storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(v) for v in value]
    return value


@dataclass(frozen=True)
class IncomingMessage:
    """A parsed platform message to store (``message`` must be JSON-serialisable)."""

    sender: ChatIdentity
    platform_id: str  # the platform's message or update id, unique per channel
    message: Mapping[str, Any]
    sent_at: datetime | None = None
    # The platform id of an earlier message this one corrects (an edit): while that
    # one still waits, it is read as corrected instead; otherwise this is a new message.
    amends: str | None = None

    def check(self) -> None:
        """Raise :class:`UnstorableMessage` for what the store's columns cannot hold."""
        if len(self.sender.account) > MAX_ACCOUNT or len(self.sender.sender_id) > MAX_SENDER_ID:
            raise UnstorableMessage("sender id too long")
        if len(self.platform_id) > MAX_PLATFORM_ID or len(self.amends or "") > MAX_PLATFORM_ID:
            raise UnstorableMessage("platform id too long")
        ids = self.sender.sender_id + self.platform_id + (self.amends or "")
        if "\x00" in ids:
            raise UnstorableMessage("NUL in an id")
        try:
            ids.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\\udfff" in the JSON)
            raise UnstorableMessage("an id that is no text") from None


@dataclass(frozen=True)
class ClaimedMessage:
    """A stored message a worker holds: process it, then complete it."""

    id: int
    sender: ChatIdentity
    platform_id: str
    message: dict[str, Any]
    received_at: datetime
    attempts: int  # claims so far, this one included

    @classmethod
    def from_row(cls, row: StoredRow) -> ClaimedMessage:
        return cls(
            id=int(row["id"]),
            sender=ChatIdentity.from_sender_id(row["sender_id"]),
            platform_id=row["platform_id"],
            message=dict(row["message"] or {}),
            received_at=row["received_at"],
            attempts=int(row["attempts"]),
        )

    @property
    def reply_key(self) -> str:
        """The outbox key of this message's replies: a re-run turn never sends twice."""
        return f"reply:{self.sender.channel}:{self.platform_id}"


@dataclass(eq=False)
class InboundQueue(DurableQueue):
    """Durable inbound messages; their replies go to ``outbox`` in the same transaction."""

    queue: ClassVar[Queue] = "inbound"
    outbox: Outbox
    _: KW_ONLY
    lease: float = 60.0

    async def accept(self, messages: Sequence[IncomingMessage]) -> list[int]:
        """Store a delivery's messages in one transaction; ids of those not seen before.

        Returns only once they are committed: the webhook may then answer 200. An edit
        whose original still waits rewrites that one (and is kept, settled, only so its
        redelivery is recognised). :class:`UnstorableMessage` refuses the delivery.
        """
        now = self.clock()
        for item in messages:
            item.check()

        def store(tables: MessageTables) -> list[int]:
            new: list[int] = []
            for item in messages:
                message = storable(dict(item.message))
                values = {
                    "channel": item.sender.channel,
                    "platform_id": item.platform_id,
                    "sender_id": item.sender.sender_id,
                    "message": message,
                    "received_at": now,
                }
                if item.amends is not None and tables.amend_pending_inbound(
                    item.sender.channel,
                    item.amends,
                    item.sender.sender_id,
                    functools.partial(_corrected, message),
                ):
                    log.info(
                        "%s from %s corrects its waiting original",
                        item.platform_id,
                        item.sender.masked(),
                    )
                    tables.store_inbound({**values, "done_at": now}, state=DONE)
                    continue
                row_id = tables.store_inbound(values)
                if row_id is None:
                    log.info(
                        "redelivery of %s from %s ignored", item.platform_id, item.sender.masked()
                    )
                    continue
                new.append(row_id)
                # A platform clock ahead of ours must not stretch the window.
                sent_at = min(item.sent_at or now, now)
                tables.touch_identity(item.sender.channel, item.sender.account, sent_at, now)
            return new

        try:
            return await self._run(store)
        except ValueRefused as refused:
            # A value this database cannot hold (the checks above missed a column's
            # limit): storing it again would fail again, so it is refused for good.
            raise UnstorableMessage(f"refused by the database ({refused.reason})") from None

    async def claim(self, *, channel: str, worker: str, limit: int = 10) -> list[ClaimedMessage]:
        """Messages of ``channel`` for ``worker``: each the oldest open one of its resident."""
        return [ClaimedMessage.from_row(row) for row in await self._claim(channel, worker, limit)]

    async def renew(self, ids: Sequence[int], *, worker: str) -> int:
        """Extend the leases of messages still being processed; how many are still held."""
        until = self.clock() + timedelta(seconds=self.lease)
        return await self._run(lambda t: t.renew_inbound(ids, worker, until))

    async def complete(
        self,
        message: ClaimedMessage,
        *,
        worker: str,
        replies: Sequence[Mapping[str, Any]],
        error: BaseException | str | None = None,
    ) -> bool:
        """Hand the turn's replies to the outbox and settle the message, in one transaction.

        ``error`` marks it failed (the replies then hold the apology). False when the
        lease was lost meanwhile: another worker owns it now, and the outbox key keeps
        the replies from going out twice.
        """
        now = self.clock()
        state = FAILED if error is not None else DONE
        detail = describe_error(error) if error is not None else None

        def settle(tables: MessageTables) -> bool:
            if replies:
                self.outbox.enqueue_in(
                    tables,
                    message.sender,
                    replies,
                    kind="reply",
                    key=message.reply_key,
                    now=now,
                )
            return tables.settle_inbound(message.id, worker, state, now, detail)

        settled = await self._run(settle)
        if not settled:
            log.warning(
                "message %d from %s was taken over before it was completed",
                message.id,
                message.sender.masked(),
            )
        return settled

    async def purge(self, older_than: timedelta = REDELIVERY_HORIZON) -> int:
        """Delete messages settled longer than ``older_than`` ago; how many.

        Their platform ids stop de-duplicating, so keep them longer than a platform
        redelivers (Meta retries for up to 7 days).
        """
        return await self._purge(older_than)


__all__ = ["ClaimedMessage", "InboundQueue", "IncomingMessage", "UnstorableMessage", "storable"]
