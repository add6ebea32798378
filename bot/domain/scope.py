"""Which tickets a staff account sees: its agency's, or its area's.

An officer of an agency (``StaffAccount.agency_code``) sees exactly the tickets
that agency holds (``Ticket.agency_code``) or watches once escalated
(``Ticket.escalated_to``). Officers without an agency, village officials and
admins see the tickets filed in their area. The queue's SQL and the desk's
check on one ticket both follow :func:`scope_of`; a ticket outside it does not
exist for the account.

Handoffs follow the same rule (:func:`may_answer_handoff`): an officer of an agency
answers the residents whose latest ticket the agency holds or watches; everyone else
keeps the area's rule (:meth:`StaffAccount.may_answer_handoffs_of`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.agency_codes import PlaceNames
from bot.domain.staff import Area, Role, StaffAccount

__all__ = [
    "ScopedHandoff",
    "ScopedTicket",
    "TicketScope",
    "may_answer_handoff",
    "may_see_ticket",
    "scope_of",
]


class ScopedTicket(PlaceNames, Protocol):
    """What the scope reads of a ticket: its place, its holder and its watcher."""

    @property
    def agency_code(self) -> str | None: ...

    @property
    def escalated_to(self) -> str | None: ...


class ScopedHandoff(Protocol):
    """What the scope reads of a handoff: where it was routed, and the holder and watcher
    of the resident's latest ticket."""

    @property
    def area(self) -> Area: ...

    @property
    def agency_code(self) -> str | None: ...

    @property
    def escalated_to(self) -> str | None: ...


@dataclass(frozen=True)
class TicketScope:
    """The tickets of ``agency_code`` (held or watched) when set, else those in ``area``."""

    area: Area = field(default_factory=Area)
    agency_code: str | None = None
    active: bool = True

    def includes(self, ticket: ScopedTicket) -> bool:
        if not self.active:
            return False
        if self.agency_code is not None:
            return self.holds(ticket.agency_code, ticket.escalated_to)
        return self.area.contains(ticket.kabupaten_kota, ticket.kecamatan, ticket.desa)

    def holds(self, holder: str | None, watcher: str | None) -> bool:
        """Whether the scope's agency holds or watches a ticket (False without an agency)."""
        return (
            self.active and self.agency_code is not None and self.agency_code in (holder, watcher)
        )


def scope_of(account: StaffAccount) -> TicketScope:
    """The tickets ``account`` sees (an agency only counts for an officer)."""
    agency = account.agency_code if account.role is Role.OFFICER else None
    return TicketScope(
        area=account.area,
        agency_code=agency.strip().upper() if agency else None,
        active=account.active,
    )


def may_see_ticket(account: StaffAccount, ticket: ScopedTicket) -> bool:
    """Whether ``ticket`` exists for ``account`` (callers answer "not found" otherwise)."""
    return scope_of(account).includes(ticket)


def may_answer_handoff(account: StaffAccount, handoff: ScopedHandoff) -> bool:
    """Whether ``account`` sees and answers ``handoff`` (callers answer "not found" otherwise)."""
    scope = scope_of(account)
    if scope.agency_code is not None:
        return scope.holds(handoff.agency_code, handoff.escalated_to)
    return account.may_answer_handoffs_of(handoff.area)
