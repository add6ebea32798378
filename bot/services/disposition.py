"""Forwarding a ticket to another agency, as one unit of work.

The holder's officer (or a province officer, or an admin) hands the ticket on:
the new holder, a ``ticket_transfers`` row, a history line (``diteruskan`` when
the lifecycle allows it, else the status stays and the line says so), an audit
row and the resident's message in the outbox are committed together or not at
all. ``bukan_wewenang`` to ``PUSAT`` closes the ticket (``ditolak``) and tells
the resident where it belongs (SP4N-LAPOR!).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.domain import tickets as ticket_numbers
from bot.domain.agencies import (
    OUTSIDE_CODE,
    VERIFICATION_CODE,
    Agency,
    AgencyCatalog,
    agency_catalog,
)
from bot.domain.errors import TicketNotFound
from bot.domain.identity import ChatIdentity
from bot.domain.model import StatusChange, Ticket, TicketStatus
from bot.domain.notifications import NOTIFICATIONS_FILE, template_params
from bot.domain.routing import Forward, ForwardReason, ForwardRefused, check_forward
from bot.domain.staff import Area, Role, StaffAccount
from bot.services.desk_views import TicketPage
from bot.services.messaging import StaffMessages
from bot.services.repositories import TicketTransfer
from bot.services.shared import audit
from bot.services.staff_desk import StaffDesk
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = [
    "Disposition",
    "ForwardProblem",
    "ForwardTexts",
    "forward_choices",
    "holder_of",
    "may_forward",
]

log = logging.getLogger(__name__)


class ForwardProblem(str, enum.Enum):
    """Why a forward was refused, in the words staff read (``staff_messages.yml``)."""

    REASON = "reason"
    UNKNOWN = "unknown"
    SAME = "same"
    PUSAT = "pusat"
    CLOSED = "closed"


@dataclass(frozen=True)
class ForwardTexts:
    """What the resident is told (``notifications.yml``, ``forwarded``)."""

    moved: str
    outside_authority: str
    outside_reason: str

    @classmethod
    def load(cls, path: Path = NOTIFICATIONS_FILE) -> ForwardTexts:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts: dict[str, Any] = data["forwarded"]
        return cls(
            moved=str(texts["moved"]),
            outside_authority=str(texts["outside_authority"]),
            outside_reason=str(texts["outside_reason"]),
        )


@lru_cache(maxsize=32)
def forward_choices(kabupaten_kota: str | None) -> tuple[Agency, ...]:
    """The agencies a ticket of ``kabupaten_kota`` is usually forwarded to: that
    kabupaten/kota's departments and governments, the province's, and PUSAT."""
    catalog = agency_catalog()
    local = catalog.within(Area(kabupaten_kota)) if kabupaten_kota else ()
    above = tuple(a for a in catalog if a.area is None or a.area.is_province)
    return (*local, *above)


def holder_of(ticket: Ticket) -> str:
    """The agency holding the ticket; one filed before routing is at the verification desk."""
    return ticket.agency_code or VERIFICATION_CODE


def may_forward(user: StaffAccount, ticket: Ticket) -> bool:
    """An officer of the holding agency, a province officer (no area, no agency), an admin."""
    if not user.active:
        return False
    if user.is_admin:
        return True
    if user.role is Role.OFFICER and user.kabupaten_kota is None and user.agency_code is None:
        return True
    return user.agency_code is not None and user.agency_code == holder_of(ticket)


@dataclass(eq=False)
class Disposition:
    """Forwards between agencies for the staff desk's users."""

    desk: StaffDesk
    catalog: AgencyCatalog = field(default_factory=agency_catalog)
    texts: ForwardTexts = field(default_factory=ForwardTexts.load)

    @property
    def messages(self) -> StaffMessages:
        return self.desk.messages

    async def forward(
        self, user: StaffAccount, number_text: str, agency: str, reason: str, note: str | None
    ) -> TicketPage:
        """Hand the ticket to ``agency``; its page afterwards.

        TicketNotFound when the user may not see it or does not act for its holder;
        ForwardRefused for an unknown reason or code, the same agency, a closed ticket.
        """
        number = str(ticket_numbers.parse(number_text))
        return await asyncio.to_thread(self._forward, user, number, agency, reason, note)

    def _forward(
        self, user: StaffAccount, number: str, agency: str, reason: str, note: str | None
    ) -> TicketPage:
        with self.desk.uow_factory() as uow:
            ticket = self.desk._visible(uow, user, number)
            if ticket.id is None or not may_forward(user, ticket):
                raise TicketNotFound(number)
            holder = holder_of(ticket)
            forward = check_forward(holder, agency, reason, catalog=self.catalog)
            if ticket.status.is_final:
                raise ForwardRefused(holder, agency, reason, f"the ticket is {ticket.status.value}")
            self._record(uow, ticket, forward, user.actor, (note or "").strip() or None)
            # Built before the commit: the ticket may now be outside the user's scope.
            page = self.desk.page(uow, user, ticket)
            uow.commit()
        log.info("%s forwarded %s → %s (%s)", number, holder, forward.target.code, reason)
        return page

    def _record(
        self,
        uow: AbstractUnitOfWork,
        ticket: Ticket,
        forward: Forward,
        actor: str,
        note: str | None,
    ) -> None:
        assert ticket.id is not None
        now = self.desk.clock()
        holder, target = forward.holder, forward.target
        outside = target.code == OUTSIDE_CODE
        ticket.agency_code = target.code
        ticket.escalated_to = None  # the new holder starts fresh
        ticket.escalated_at = None
        lines = [
            self.messages.render(
                "forward_history",
                holder=_named(holder),
                target=_named(target),
                reason=forward.reason.value,
                actor=actor,
            )
        ]
        if note:
            lines.append(self.messages.render("forward_note", note=note))
        if outside:
            reason_text = self._render(self.texts.outside_reason, ticket, target)
            ticket.change_status(
                TicketStatus.DITOLAK, actor=actor, at=now, note=" ".join([reason_text, *lines])
            )
        elif TicketStatus.DITERUSKAN in ticket.status.allowed_next:
            ticket.change_status(TicketStatus.DITERUSKAN, actor=actor, at=now, note=" ".join(lines))
        else:
            lines.append(self.messages.render("forward_status_kept", status=ticket.status.value))
            ticket.history.append(
                StatusChange(
                    from_status=ticket.status,
                    to_status=ticket.status,
                    actor=actor,
                    created_at=now,
                    note=" ".join(lines),
                )
            )
            ticket.updated_at = now
        uow.transfers.add(
            TicketTransfer(
                ticket_id=ticket.id,
                from_agency=holder.code,
                to_agency=target.code,
                reason=forward.reason.value,
                note=note,
                actor=actor,
                created_at=now,
            )
        )
        audit(
            uow,
            actor,
            "ticket.forwarded",
            ticket.number,
            now,
            {
                "from": holder.code,
                "to": target.code,
                "reason": forward.reason.value,
                "status": ticket.status.value,
                "note": note,
            },
        )
        text = self.texts.outside_authority if outside else self.texts.moved
        self._tell(uow, ticket, self._render(text, ticket, target))

    @staticmethod
    def _render(template: str, ticket: Ticket, agency: Agency) -> str:
        return template.format(number=ticket.number, agency=agency.name, contact=agency.contact)

    def _tell(self, uow: AbstractUnitOfWork, ticket: Ticket, text: str) -> None:
        """The resident's message, in the outbox within ``uow`` (nobody to tell: logged)."""
        account = (
            uow.identities.get_by_id(ticket.filed_by_identity_id)
            if ticket.filed_by_identity_id is not None
            else None
        )
        if account is None:
            log.info("%s has no chat account to tell of its new agency", ticket.number)
            return
        identity = ChatIdentity(channel=account.channel, account=account.account)
        params = template_params(number=ticket.number, status=ticket.status, note=text)
        self.desk.notices.messenger.enqueue_within(
            uow,
            identity,
            [{"text": text, "custom": {"template_params": params}}],
            kind="notification",
            key=f"forward:{ticket.number}:{len(ticket.history)}",
        )

    def problem(self, error: ForwardRefused) -> ForwardProblem:
        """Which of the refusals ``error`` is."""
        if error.reason not in {r.value for r in ForwardReason}:
            return ForwardProblem.REASON
        if self.catalog.get(error.target) is None:
            return ForwardProblem.UNKNOWN
        if self.catalog.get(error.target) == self.catalog.get(error.holder):
            return ForwardProblem.SAME
        if error.problem.startswith("the ticket is"):
            return ForwardProblem.CLOSED
        return ForwardProblem.PUSAT

    def refusal(self, error: ForwardRefused) -> str:
        """The refusal in the words staff read."""
        problem = self.problem(error)
        words = str(self.messages.data["forward_refused"][problem.value])
        status = error.problem.removeprefix("the ticket is ").strip()
        return words.format(target=error.target.strip().upper() or "-", status=status)


def _named(agency: Agency) -> str:
    return f"{agency.name} ({agency.code})"
