"""Which tickets a staff account sees: its agency's, or its area's.

An officer of an agency (``StaffAccount.agency_code``) sees exactly the tickets
that agency holds (``Ticket.agency_code``) or watches once escalated
(``Ticket.escalated_to``). Officers without an agency, village officials and
admins see the tickets filed in their area. The queue's SQL and the desk's
check on one ticket both follow :func:`scope_of`; a ticket outside it does not
exist for the account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.staff import Area, Role, StaffAccount

__all__ = ["ScopedTicket", "TicketScope", "may_see_ticket", "scope_of"]


class ScopedTicket(Protocol):
    """What the scope reads of a ticket: its place, its holder and its watcher."""

    @property
    def kabupaten_kota(self) -> str | None: ...

    @property
    def kecamatan(self) -> str | None: ...

    @property
    def desa(self) -> str | None: ...

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
            return self.agency_code in (ticket.agency_code, ticket.escalated_to)
        return self.area.contains(ticket.kabupaten_kota, ticket.kecamatan, ticket.desa)


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
