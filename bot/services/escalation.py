"""Escalation of overdue tickets: the agency one level up starts watching; the holder stays.

A ticket past its service level (``overdue`` as the staff queue computes it,
counted from ``received_at`` when the report reached an office earlier, else
from filing) and not yet done gets ``escalated_to`` = the holder's
:func:`~bot.domain.agencies.escalation_target`, a ``ticket_transfers`` row
(reason ``eskalasi``), a history line and an audit row.

Counted once: a ticket already escalated is left alone until another full
service period (its ``done_days``) has passed since ``escalated_at`` while it
is still open; then it goes one more level up, from its watcher, until the
province's verification desk (which has nothing above it). A forward clears
``escalated_to``, so the new holder starts fresh.
"""

from __future__ import annotations

import logging
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timedelta

from bot.domain.agencies import InvalidAgencyCode, escalation_target
from bot.domain.model import StatusChange, Ticket
from bot.domain.office_hours import OfficeSchedule
from bot.domain.sla import SlaRules, SlaState, sla_state
from bot.services.messaging import StaffMessages
from bot.services.repositories import TicketTransfer
from bot.services.shared import Clock, audit, utc_now
from bot.services.unit_of_work import AbstractUnitOfWork, UnitOfWorkFactory

__all__ = ["ESCALATION_ACTOR", "ESCALATION_REASON", "Escalated", "Escalation", "counted_from"]

log = logging.getLogger(__name__)

ESCALATION_REASON = "eskalasi"
ESCALATION_ACTOR = "system:eskalasi"


@dataclass(frozen=True)
class Escalated:
    """One escalation: the ticket, who was watching (the holder the first time) and who now."""

    number: str
    holder: str
    from_agency: str
    to_agency: str


def counted_from(ticket: Ticket) -> datetime:
    """When the ticket's service level starts: the report's arrival at an office, or filing."""
    return ticket.received_at or ticket.created_at


@dataclass(eq=False)
class Escalation:
    """Finds the overdue tickets and escalates them, one pass at a time."""

    uow_factory: UnitOfWorkFactory
    _: KW_ONLY
    sla_rules: SlaRules
    schedule: OfficeSchedule
    clock: Clock = utc_now
    messages: StaffMessages = field(default_factory=StaffMessages.load)

    def overdue(self, ticket: Ticket, now: datetime) -> bool:
        first = next((c.created_at for c in ticket.history if c.from_status is not None), None)
        state = sla_state(
            status=ticket.status.value,
            created_at=counted_from(ticket),
            first_response_at=first,
            now=now,
            rule=self.sla_rules.for_category(ticket.category),
            schedule=self.schedule,
        )
        return state is SlaState.OVERDUE

    def due(self, ticket: Ticket, now: datetime) -> Escalated | None:
        """The escalation ``ticket`` is due now, or None."""
        holder = ticket.agency_code
        if holder is None or ticket.status.is_final or not self.overdue(ticket, now):
            return None
        watcher = ticket.escalated_to
        if watcher is not None:
            period = timedelta(days=self.sla_rules.for_category(ticket.category).done_days)
            if ticket.escalated_at is not None and now - ticket.escalated_at <= period:
                return None
        source = watcher or holder
        try:
            target = escalation_target(source)
        except InvalidAgencyCode:
            log.warning("%s: agency %s has no level above it", ticket.number, source)
            return None
        if target is None or target == watcher:
            return None
        return Escalated(ticket.number, holder, source, target)

    def run(self, *, dry_run: bool = False) -> list[Escalated]:
        """Escalate every ticket due now, in one unit of work; ``dry_run`` writes nothing."""
        now = self.clock()
        done: list[Escalated] = []
        shortest = min(
            rule.done_days
            for rule in (self.sla_rules.default, *self.sla_rules.by_category.values())
        )
        with self.uow_factory() as uow:
            for ticket in uow.tickets.unfinished(counted_before=now - timedelta(days=shortest)):
                escalated = self.due(ticket, now)
                if escalated is None:
                    continue
                done.append(escalated)
                if not dry_run:
                    self._record(uow, ticket, escalated, now)
            if not dry_run:
                uow.commit()
        for escalated in done:
            log.info(
                "%s escalated %s → %s%s",
                escalated.number,
                escalated.from_agency,
                escalated.to_agency,
                " (dry run)" if dry_run else "",
            )
        return done

    def _record(
        self, uow: AbstractUnitOfWork, ticket: Ticket, escalated: Escalated, now: datetime
    ) -> None:
        assert ticket.id is not None
        ticket.escalated_to = escalated.to_agency
        ticket.escalated_at = now
        note = self.messages.render(
            "escalation_history", target=escalated.to_agency, holder=escalated.holder
        )
        # A note in the history, not a status change: the status and the holder stay.
        ticket.history.append(
            StatusChange(
                from_status=ticket.status,
                to_status=ticket.status,
                actor=ESCALATION_ACTOR,
                created_at=now,
                note=note,
            )
        )
        uow.transfers.add(
            TicketTransfer(
                ticket_id=ticket.id,
                from_agency=escalated.from_agency,
                to_agency=escalated.to_agency,
                reason=ESCALATION_REASON,
                actor=ESCALATION_ACTOR,
                created_at=now,
            )
        )
        audit(
            uow,
            ESCALATION_ACTOR,
            "ticket.escalated",
            ticket.number,
            now,
            {"holder": escalated.holder, "from": escalated.from_agency, "to": escalated.to_agency},
        )
