"""The unit of work: one transaction, the repositories that share it, rollback unless committed.

The port belongs to the use cases that call it; ``bot.adapters.db.uow`` implements it.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TypeVar

from bot.services.repositories import (
    AgencyRepository,
    AuditLog,
    ChatAccountRepository,
    DuplicateKey,
    HandoffRepository,
    OfficerRepository,
    RatingRepository,
    ResidentRepository,
    StaffRepository,
    TicketRepository,
    TransferLog,
)

__all__ = ["AbstractUnitOfWork", "DuplicateKey", "UnitOfWorkFactory"]

_U = TypeVar("_U", bound="AbstractUnitOfWork")


class AbstractUnitOfWork(abc.ABC):
    tickets: TicketRepository
    identities: ChatAccountRepository
    residents: ResidentRepository
    officers: OfficerRepository
    staff: StaffRepository
    handoffs: HandoffRepository
    audit: AuditLog
    ratings: RatingRepository
    agencies: AgencyRepository
    transfers: TransferLog

    def __enter__(self: _U) -> _U:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Whatever was not committed explicitly is undone, error or not.
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], AbstractUnitOfWork]
