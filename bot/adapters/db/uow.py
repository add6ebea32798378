"""The SQLAlchemy unit of work: a fresh Session per ``with`` block, every repository on it."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db import repository
from bot.adapters.db.agency_repository import SqlAlchemyAgencyRepository
from bot.adapters.db.handoff_repository import SqlAlchemyHandoffRepository
from bot.adapters.db.rating_repository import SqlAlchemyRatingRepository
from bot.adapters.db.staff_repository import SqlAlchemyStaffRepository
from bot.adapters.db.transfer_log import SqlAlchemyTransferLog
from bot.services.unit_of_work import AbstractUnitOfWork

__all__ = ["SqlAlchemyUnitOfWork"]


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """Sessions from the injected factory (tests swap the database)."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self.session: Session = self.session_factory()
        self.tickets = repository.SqlAlchemyTicketRepository(self.session)
        self.identities = repository.SqlAlchemyIdentityRepository(self.session)
        self.residents = repository.SqlAlchemyResidentRepository(self.session)
        self.officers = repository.SqlAlchemyOfficerRepository(self.session)
        self.audit = repository.SqlAlchemyAuditLog(self.session)
        self.staff = SqlAlchemyStaffRepository(self.session)
        self.handoffs = SqlAlchemyHandoffRepository(self.session)
        self.ratings = SqlAlchemyRatingRepository(self.session)
        self.agencies = SqlAlchemyAgencyRepository(self.session)
        self.transfers = SqlAlchemyTransferLog(self.session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
