"""Live handoff: a resident asks for a human, an officer of their area (or of the agency
holding their latest ticket) answers.

Opening a handoff records it (``Handoffs.request_handoff``) and routes it to the
area of the resident's latest ticket (the province when there is none); the
action then marks the conversation as handed off (a slot in Rasa), so every
later message comes to :meth:`HandoffDesk.resident_message`: it is kept with the
handoff for the officer, and the desk says whether the resident hears an
acknowledgement (at most once per ``ack_interval``, never while an officer is
replying), nothing, or leaves the handoff. An emergency always gets 112 from the
bot first and is marked for the officer. Officers read a handoff from the system
of record, reply through the messaging port, and close it: the bot is resumed in
Rasa first, so a handoff is never recorded closed while the bot stays silent.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.errors import InvalidDraft
from bot.domain.identity import ChatIdentity
from bot.domain.model import AuditEntry, HandoffStatus
from bot.domain.office_hours import WIB
from bot.domain.scope import may_answer_handoff, scope_of
from bot.domain.staff import Area, Role, StaffAccount
from bot.services.handoff import Handoffs
from bot.services.handoff_views import (
    BotNotResumed,
    Conversations,
    HandoffNotFound,
    HandoffOpened,
    HandoffTurn,
    HandoffView,
    TurnReply,
)
from bot.services.messaging import STAFF_KIND, MessageNotSent, Messenger, StaffSide
from bot.services.repositories import HandoffMessageRow, HandoffRow, ReplyRow
from bot.services.shared import in_thread

log = logging.getLogger(__name__)

__all__ = [
    "BotNotResumed",
    "Conversations",
    "HandoffDesk",
    "HandoffNotFound",
    "HandoffOpened",
    "HandoffTurn",
    "HandoffView",
    "TurnReply",
]

HANDOFF_LIST_LIMIT = 100
ACK_INTERVAL = timedelta(minutes=10)
ACTIVE_WINDOW = timedelta(minutes=15)
REPLY_MAX_CHARS = 2000
DAY_WORDS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@dataclass(eq=False)
class HandoffDesk(StaffSide):
    _: KW_ONLY
    requests: Handoffs  # records a resident's request
    office_hours: str = ""  # for display, from the knowledge base
    messenger: Messenger | None = None  # officers' replies; the action server has none
    conversations: Conversations | None = None
    ack_interval: timedelta = ACK_INTERVAL
    active_window: timedelta = ACTIVE_WINDOW

    # ------------------------------------------------------ resident's side

    async def open(
        self, *, identity: ChatIdentity, reason: str | None, transcript: list[dict[str, str]]
    ) -> HandoffOpened:
        receipt = await self.requests.request_handoff(
            identity=identity, reason=reason, transcript=transcript
        )
        area = await asyncio.to_thread(self._route, identity, receipt.reference)
        log.info("handoff %s routed to %s", receipt.reference, area.label())
        return HandoffOpened(
            reference=receipt.reference,
            within_office_hours=self.schedule.is_open(receipt.created_at),
            next_opening=self._next_opening(receipt.created_at),
            office_hours=self.office_hours,
        )

    def _next_opening(self, at: datetime) -> str:
        opening = self.schedule.next_opening(at).astimezone(WIB)
        return f"{DAY_WORDS[opening.weekday()]}, {opening:%H.%M} WIB"

    @in_thread
    def resident_message(
        self,
        *,
        identity: ChatIdentity,
        reference: str,
        text: str,
        bot_lines: list[str],
        emergency: bool,
        leaving: bool,
        acknowledged_at: datetime | None,
    ) -> HandoffTurn:
        """Keep a resident's message (and the bot's answer, e.g. 112) with the handoff for
        the officer, and say what the resident hears. Leaving closes the handoff; an
        emergency never does (the officer must see it)."""
        with self.uow_factory() as uow:
            now = self.clock()
            row = uow.handoffs.row(reference)
            if row is None or (row.channel, row.account) != (identity.channel, identity.account):
                raise HandoffNotFound(reference)

            def turn(reply: TurnReply) -> HandoffTurn:
                return HandoffTurn(
                    reply=reply,
                    reference=row.reference,
                    within_office_hours=self.schedule.is_open(now),
                    next_opening=self._next_opening(now),
                )

            if row.status is not HandoffStatus.OPEN:
                return turn(TurnReply.ENDED)
            if text:
                uow.handoffs.add_message(row.id, "resident", text, now, emergency=emergency)
            for line in bot_lines:
                uow.handoffs.add_message(row.id, "bot", line, now, emergency=emergency)
            account = uow.identities.get(identity.channel, identity.account)
            actor = f"identity:{account.id if account is not None else '?'}"
            if emergency:
                audit_entry = "handoff.emergency"
            elif leaving:
                uow.handoffs.close(row, "resident", now)
                audit_entry = "handoff.left"
            else:
                audit_entry = ""
            if audit_entry:
                uow.audit.add(
                    AuditEntry(
                        actor=actor, action=audit_entry, subject=row.reference, created_at=now
                    )
                )
            replied_at = uow.handoffs.latest_reply_at(row.id)
            uow.commit()
        if emergency:
            log.warning("handoff %s: emergency reported by %s", row.reference, identity.masked())
            return turn(TurnReply.EMERGENCY)
        if leaving:
            log.info("handoff %s left by %s", row.reference, identity.masked())
            return turn(TurnReply.LEFT)
        if replied_at is not None and now - replied_at < self.active_window:
            return turn(TurnReply.QUIET)
        if acknowledged_at is not None and now - acknowledged_at < self.ack_interval:
            return turn(TurnReply.QUIET)
        return turn(TurnReply.ACKNOWLEDGE)

    def _route(self, identity: ChatIdentity, reference: str) -> Area:
        with self.uow_factory() as uow:
            handoff = uow.handoffs.row(reference)
            account = uow.identities.get(identity.channel, identity.account)
            if handoff is None or account is None or account.id is None:
                raise HandoffNotFound(reference)
            latest = uow.tickets.filed_by(account.id, limit=1)
            area = (
                Area(latest[0].kabupaten_kota, latest[0].kecamatan, latest[0].desa)
                if latest and latest[0].kabupaten_kota
                else Area()
            )
            uow.handoffs.route(handoff.id, area)
            uow.commit()
            return area

    # -------------------------------------------------------- officer's side

    @in_thread
    def handoffs(self, user: StaffAccount, *, state: str | None = "open") -> list[HandoffView]:
        status = HandoffStatus(state) if state else None
        if not user.active or user.role is Role.VILLAGE:
            return []
        # Filtered in the query: an officer's own handoffs are never pushed out of
        # the limit by another area's or agency's (admins and province officers see them all).
        agency = scope_of(user).agency_code
        region = None if user.role is Role.ADMIN or agency else user.kabupaten_kota
        with self.uow_factory() as uow:
            rows = uow.handoffs.newest(
                status, limit=HANDOFF_LIST_LIMIT, kabupaten_kota=region, agency_code=agency
            )
            rows = [row for row in rows if may_answer_handoff(user, row)]
            return [
                self._view_of(row, uow.handoffs.messages(row.id), uow.handoffs.replies(row.id))
                for row in rows
            ]

    async def handoff(self, user: StaffAccount, reference: str) -> HandoffView:
        return await self._view(await asyncio.to_thread(self._row, user, reference))

    def _row(self, user: StaffAccount, reference: str) -> HandoffRow:
        with self.uow_factory() as uow:
            row = uow.handoffs.row(reference.strip().upper())
        if row is None or not may_answer_handoff(user, row):
            raise HandoffNotFound(reference)
        return row

    @in_thread
    def _view(self, row: HandoffRow) -> HandoffView:
        with self.uow_factory() as uow:
            return self._view_of(row, uow.handoffs.messages(row.id), uow.handoffs.replies(row.id))

    @staticmethod
    def _view_of(
        row: HandoffRow, said: list[HandoffMessageRow], replies: list[ReplyRow]
    ) -> HandoffView:
        identity = ChatIdentity(channel=row.channel, account=row.account)
        lines: list[tuple[datetime, int, dict[str, Any]]] = []
        for order, message in enumerate(said):
            line: dict[str, Any] = {
                "from": message.author,
                "text": message.text,
                "at": message.created_at.isoformat(),
            }
            if message.emergency:
                line["emergency"] = True
            lines.append((message.created_at, order, line))
        for order, reply in enumerate(replies, start=len(said)):
            lines.append(
                (
                    reply.created_at,
                    order,
                    {
                        "from": f"staff:{reply.username}",
                        "text": reply.text,
                        "at": reply.created_at.isoformat(),
                    },
                )
            )
        lines.sort(key=lambda line: (line[0], line[1]))
        return HandoffView(
            reference=row.reference,
            sender=identity.sender_id,
            channel=row.channel,
            opened_at=row.created_at,
            state=row.status.value,
            area=row.area,
            reason=row.reason,
            transcript=row.transcript,
            messages=[line for _, _, line in lines],
            messages_unavailable=False,
            closed_by=row.closed_by,
            emergency=any(message.emergency for message in said),
        )

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
            uow.handoffs.add_reply(row.id, user.id, text, now)
            uow.audit.add(
                AuditEntry(
                    actor=user.actor,
                    action="handoff.replied",
                    subject=row.reference,
                    created_at=now,
                )
            )
            uow.commit()
            return len(uow.handoffs.replies(row.id))

    async def close(self, user: StaffAccount, reference: str) -> HandoffView:
        """Hand the resident back to the bot (resume in Rasa) and tell them.

        The bot is resumed first: when Rasa does not take it, :class:`BotNotResumed`
        is raised and the handoff stays open (the officer may try again), rather
        than being recorded closed with the bot still silent for the resident.
        """
        row = await asyncio.to_thread(self._row, user, reference)
        if row.status is HandoffStatus.OPEN:
            identity = ChatIdentity(channel=row.channel, account=row.account)
            if self.conversations is not None:
                try:
                    await self.conversations.resume(identity.sender_id)
                except Exception as error:
                    log.warning("handoff %s: bot not resumed: %s", row.reference, error)
                    raise BotNotResumed(row.reference, type(error).__name__) from error
            await asyncio.to_thread(self._close, user, row)
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
            uow.handoffs.close(row, user.actor, now)
            uow.audit.add(
                AuditEntry(
                    actor=user.actor, action="handoff.closed", subject=row.reference, created_at=now
                )
            )
            uow.commit()
