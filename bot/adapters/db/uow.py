"""Unit of work: one transaction, the repositories that share it, rollback unless committed."""

from __future__ import annotations

import abc
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db import repository
from bot.adapters.db.rating_repository import RatingRepository

_U = TypeVar("_U", bound="AbstractUnitOfWork")


class AbstractUnitOfWork(abc.ABC):
    tickets: repository.AbstractTicketRepository
    identities: repository.AbstractIdentityRepository
    residents: repository.AbstractResidentRepository
    officers: repository.AbstractOfficerRepository
    audit: repository.AbstractAuditLog
    handoffs: repository.AbstractHandoffRepository
    notifications: repository.AbstractNotificationOutbox
    ratings: RatingRepository

    def __enter__(self: _U) -> _U:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Whatever was not committed explicitly is undone, error or not.
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """A fresh Session per ``with`` block, from the injected factory (tests swap the DB)."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self.session: Session = self.session_factory()
        self.tickets = repository.SqlAlchemyTicketRepository(self.session)
        self.identities = repository.SqlAlchemyIdentityRepository(self.session)
        self.residents = repository.SqlAlchemyResidentRepository(self.session)
        self.officers = repository.SqlAlchemyOfficerRepository(self.session)
        self.audit = repository.SqlAlchemyAuditLog(self.session)
        self.handoffs = repository.SqlAlchemyHandoffRepository(self.session)
        self.notifications = repository.SqlAlchemyNotificationOutbox(self.session)
        self.ratings = RatingRepository(self.session)
        return super().__enter__()

    def __exit__(self, *exc_info: object) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
