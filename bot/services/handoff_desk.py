"""Live handoff: a resident asks for a human, an officer of their area answers.

Opening a handoff records it (``Tabik.request_handoff``) and routes it to the
area of the resident's latest ticket (the province when there is none); the
action then pauses the conversation in Rasa, so the bot stays silent. Officers
read the resident's messages from Rasa's tracker, reply through the messaging
port, and close the handoff, which resumes the conversation.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.adapters.db.staff_repository import HandoffRow
from bot.domain.errors import InvalidDraft
from bot.domain.identity import ChatIdentity
from bot.domain.model import AuditEntry, HandoffStatus
from bot.domain.office_hours import WIB
from bot.domain.staff import Area, StaffAccount
from bot.services.messaging import STAFF_KIND, MessageNotSent, Messenger, StaffSide
from bot.services.shared import NotFound

log = logging.getLogger(__name__)

__all__ = ["Conversations", "HandoffDesk", "HandoffNotFound", "HandoffOpened", "HandoffView"]

HANDOFF_LIST_LIMIT = 100
REPLY_MAX_CHARS = 2000
DAY_WORDS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class Conversations(Protocol):
    async def messages(self, sender_id: str, *, since: datetime) -> list[Any]: ...

    async def resume(self, sender_id: str) -> None: ...


class HandoffNotFound(NotFound):
    """No handoff with this reference for this user (outside the area counts as none)."""

    what = "handoff"


@dataclass(frozen=True)
class HandoffOpened:
    reference: str
    within_office_hours: bool
    next_opening: str  # "Senin, 08.00 WIB"
    office_hours: str  # "Senin–Kamis 08.00–15.00 WIB; Jumat 08.00–11.30 WIB"


@dataclass(frozen=True)
class HandoffView:
    reference: str
    sender: str
    channel: str
    opened_at: datetime
    state: str
    area: Area
    reason: str | None
    transcript: list[dict[str, str]]  # the conversation before the request
    messages: list[dict[str, str]]  # since: {"from": "resident"|"bot"|"staff:…", "text", "at"}
    messages_unavailable: bool  # Rasa could not be asked (the page says so)
    closed_by: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "sender": self.sender,
            "opened_at": self.opened_at.isoformat(),
            "state": self.state,
            "messages": self.messages,
            "messages_unavailable": self.messages_unavailable,
        }


@dataclass(eq=False)
class HandoffDesk(StaffSide):
    _: KW_ONLY
    office_hours: str = ""  # for display, from the knowledge base
    messenger: Messenger | None = None  # officers' replies; the action server has none
    conversations: Conversations | None = None

    # ------------------------------------------------------ resident's side

    async def open(
        self, *, identity: ChatIdentity, reason: str | None, transcript: list[dict[str, str]]
    ) -> HandoffOpened:
        receipt = await self.tabik.request_handoff(
            identity=identity, reason=reason, transcript=transcript
        )
        area = await asyncio.to_thread(self._route, identity, receipt.reference)
        log.info("handoff %s routed to %s", receipt.reference, area.label())
        opening = self.schedule.next_opening(receipt.created_at).astimezone(WIB)
        return HandoffOpened(
            reference=receipt.reference,
            within_office_hours=self.schedule.is_open(receipt.created_at),
            next_opening=f"{DAY_WORDS[opening.weekday()]}, {opening:%H.%M} WIB",
            office_hours=self.office_hours,
        )

    def _route(self, identity: ChatIdentity, reference: str) -> Area:
        with self.uow_factory() as uow:
            handoff = uow.staff.handoff(reference)
            account = uow.identities.get(identity.channel, identity.account)
            if handoff is None or account is None or account.id is None:
                raise HandoffNotFound(reference)
            latest = uow.tickets.filed_by(account.id, limit=1)
            area = (
                Area(latest[0].kabupaten_kota, latest[0].kecamatan, latest[0].desa)
                if latest and latest[0].kabupaten_kota
                else Area()
            )
            uow.staff.route_handoff(handoff.id, area)
            uow.commit()
            return area

    # -------------------------------------------------------- officer's side

    async def handoffs(
        self, user: StaffAccount, *, state: str | None = "open"
    ) -> list[HandoffView]:
        status = HandoffStatus(state) if state else None
        rows = await asyncio.to_thread(self._rows, user, status)
        return [await self._view(row) for row in rows]

    def _rows(self, user: StaffAccount, status: HandoffStatus | None) -> list[HandoffRow]:
        with self.uow_factory() as uow:
            rows = uow.staff.handoffs(status, limit=HANDOFF_LIST_LIMIT)
        return [row for row in rows if user.may_answer_handoffs_of(row.area)]

    async def handoff(self, user: StaffAccount, reference: str) -> HandoffView:
        return await self._view(await asyncio.to_thread(self._row, user, reference))

    def _row(self, user: StaffAccount, reference: str) -> HandoffRow:
        with self.uow_factory() as uow:
            row = uow.staff.handoff(reference.strip().upper())
        if row is None or not user.may_answer_handoffs_of(row.area):
            raise HandoffNotFound(reference)
        return row

    async def _view(self, row: HandoffRow) -> HandoffView:
        identity = ChatIdentity(channel=row.channel, account=row.account)
        lines: list[tuple[datetime, dict[str, str]]] = []
        unavailable = False
        if self.conversations is not None:
            try:
                for role, text, at in await self.conversations.messages(
                    identity.sender_id, since=row.created_at
                ):
                    who = "resident" if role == "user" else "bot"
                    lines.append((at, {"from": who, "text": text, "at": at.isoformat()}))
            except Exception as error:
                log.warning("handoff %s: messages not read from Rasa: %s", row.reference, error)
                unavailable = True
        else:
            unavailable = True
        replies = await asyncio.to_thread(self._replies, row.id)
        for reply in replies:
            lines.append(
                (
                    reply.created_at,
                    {
                        "from": f"staff:{reply.username}",
                        "text": reply.text,
                        "at": reply.created_at.isoformat(),
                    },
                )
            )
        lines.sort(key=lambda line: line[0])
        return HandoffView(
            reference=row.reference,
            sender=identity.sender_id,
            channel=row.channel,
            opened_at=row.created_at,
            state=row.status.value,
            area=row.area,
            reason=row.reason,
            transcript=row.transcript,
            messages=[line for _, line in lines],
            messages_unavailable=unavailable,
            closed_by=row.closed_by,
        )

    def _replies(self, handoff_id: int) -> list[Any]:
        with self.uow_factory() as uow:
            return uow.staff.replies(handoff_id)

    async def reply(self, user: StaffAccount, reference: str, text: str) -> HandoffView:
        """Send the officer's text to the resident on their channel."""
        text = (text or "").strip()
        if not text or len(text) > REPLY_MAX_CHARS:
            raise InvalidDraft("text", text[:20])
        row = await asyncio.to_thread(self._row, user, reference)
        if row.status is not HandoffStatus.OPEN:
            raise HandoffNotFound(reference)
        count = await asyncio.to_thread(self._record_reply, user, row, text)
        if self.messenger is None:
            raise RuntimeError("no messenger configured for handoff replies")
        await self.messenger.enqueue(
            ChatIdentity(channel=row.channel, account=row.account),
            [{"text": self.messages.render("handoff_reply", text=text)}],
            kind=STAFF_KIND,
            key=f"handoff:{row.reference}:{count}",
        )
        return await self._view(row)

    def _record_reply(self, user: StaffAccount, row: HandoffRow, text: str) -> int:
        assert user.id is not None
        with self.uow_factory() as uow:
            now = self.clock()
            uow.staff.add_reply(row.id, user.id, text, now)
            uow.audit.add(
                AuditEntry(
                    actor=user.actor,
                    action="handoff.replied",
                    subject=row.reference,
                    created_at=now,
                )
            )
            uow.commit()
            return len(uow.staff.replies(row.id))

    async def close(self, user: StaffAccount, reference: str) -> HandoffView:
        """Hand the resident back to the bot (resume in Rasa) and tell them."""
        row = await asyncio.to_thread(self._row, user, reference)
        if row.status is HandoffStatus.OPEN:
            await asyncio.to_thread(self._close, user, row)
            identity = ChatIdentity(channel=row.channel, account=row.account)
            if self.conversations is not None:
                await self.conversations.resume(identity.sender_id)
            if self.messenger is not None:
                try:
                    await self.messenger.enqueue(
                        identity,
                        [{"text": self.messages.render("handoff_closed")}],
                        kind=STAFF_KIND,
                        key=f"handoff:{row.reference}:closed",
                    )
                except MessageNotSent as error:
                    # Closed and resumed all the same: the bot answers the next message.
                    log.warning("closing note of %s not sent: %s", row.reference, error)
        return await self.handoff(user, reference)

    def _close(self, user: StaffAccount, row: HandoffRow) -> None:
        with self.uow_factory() as uow:
            now = self.clock()
            uow.staff.close_handoff(row, user.actor, now)
            uow.audit.add(
                AuditEntry(
                    actor=user.actor, action="handoff.closed", subject=row.reference, created_at=now
                )
            )
            uow.commit()
