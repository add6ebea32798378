"""Repositories over a Session: tickets, chat accounts, residents, officers, the audit log.

They answer the ports of :mod:`bot.services.repositories` with ``select()`` in 2.0
style. Inserts that may hit a unique constraint run in a SAVEPOINT, so a clash costs
only that statement and the caller can retry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, false, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.adapters.db import orm
from bot.adapters.db.tables_staff import staff_accounts, ticket_filers
from bot.domain.model import AuditEntry, ChatAccount, Officer, Resident, Ticket
from bot.domain.scope import TicketScope
from bot.domain.staff import Area
from bot.domain.tickets import TicketKind
from bot.services.repositories import (
    AuditLog,
    ChatAccountRepository,
    DuplicateKey,
    OfficerRepository,
    QueueFilter,
    ResidentRepository,
    TicketRepository,
)


class _SessionRepository:
    """What every repository over a Session shares: the session and its query shapes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, entity: str, obj: object) -> None:
        """Flush one new object inside a savepoint; a unique clash becomes DuplicateKey."""
        try:
            with self.session.begin_nested():
                self.session.add(obj)
                self.session.flush()
        except IntegrityError as error:
            raise DuplicateKey(entity) from error

    def _one(self, query: Select) -> Any:
        """The one object ``query`` finds, or None."""
        return self.session.execute(query).scalar_one_or_none()

    def _all(self, query: Select) -> list[Any]:
        return list(self.session.execute(query).scalars())


class SqlAlchemyTicketRepository(_SessionRepository, TicketRepository):
    def add(self, ticket: Ticket) -> None:
        self._insert("ticket", ticket)

    def get(self, number: str) -> Ticket | None:
        return self._one(select(Ticket).filter_by(number=number))

    def get_by_idempotency_key(self, key: str) -> Ticket | None:
        return self._one(select(Ticket).filter_by(idempotency_key=key))

    def count_filed_since(self, identity_id: int, kind: TicketKind, since: datetime) -> int:
        tickets = orm.tickets
        query = select(func.count()).where(
            tickets.c.filed_by_identity_id == identity_id,
            tickets.c.kind == kind,
            tickets.c.created_at >= since,
        )
        return int(self.session.execute(query).scalar_one())

    def filed_by(self, identity_id: int, *, limit: int) -> list[Ticket]:
        # Ticket's mapped columns are class attributes at run time; the dataclass
        # annotations cannot say so, hence the getattr.
        created_at, ticket_id = getattr(Ticket, "created_at"), getattr(Ticket, "id")  # noqa: B009
        query = (
            select(Ticket)
            .filter_by(filed_by_identity_id=identity_id)
            .order_by(created_at.desc(), ticket_id.desc())
            .limit(limit)
        )
        return self._all(query)

    def queue(self, scope: TicketScope | Area, flt: QueueFilter, *, limit: int) -> list[Ticket]:
        tickets = orm.tickets
        query = select(Ticket).where(_in_scope(scope))
        if flt.status is not None:
            query = query.where(tickets.c.status == flt.status.value)
        if flt.kind is not None:
            query = query.where(tickets.c.kind == flt.kind.value)
        if flt.category:
            query = query.where(
                or_(tickets.c.category == flt.category, tickets.c.document_type == flt.category)
            )
        if flt.created_after is not None:
            query = query.where(tickets.c.created_at >= flt.created_after)
        if flt.created_before is not None:
            query = query.where(tickets.c.created_at < flt.created_before)
        if flt.number is not None:
            query = query.where(tickets.c.number == flt.number)
        if flt.phones:
            residents, identities = orm.residents, orm.chat_identities
            query = (
                query.outerjoin(residents, residents.c.id == tickets.c.resident_id)
                .outerjoin(identities, identities.c.id == tickets.c.filed_by_identity_id)
                .where(
                    or_(
                        residents.c.phone.in_(flt.phones),
                        and_(
                            identities.c.channel == "whatsapp", identities.c.account.in_(flt.phones)
                        ),
                    )
                )
            )
        query = query.order_by(tickets.c.created_at.desc(), tickets.c.id.desc()).limit(limit)
        return self._all(query)

    def record_filer(self, ticket_id: int, staff_id: int, at: datetime) -> None:
        self.session.execute(
            insert(ticket_filers).values(ticket_id=ticket_id, staff_id=staff_id, created_at=at)
        )

    def filer_of(self, ticket_id: int) -> str | None:
        row = self.session.execute(
            select(staff_accounts.c.username)
            .join(ticket_filers, ticket_filers.c.staff_id == staff_accounts.c.id)
            .where(ticket_filers.c.ticket_id == ticket_id)
        ).first()
        return None if row is None else str(row.username)

    def unfinished(self, *, counted_before: datetime) -> list[Ticket]:
        tickets = orm.tickets
        started = func.coalesce(tickets.c.received_at, tickets.c.created_at)
        query = (
            select(Ticket)
            .where(tickets.c.status.not_in(("selesai", "ditolak")), started < counted_before)
            .order_by(tickets.c.created_at, tickets.c.id)
            # Several instances' workers: a row another pass holds is left to it (counted
            # once); SQLite has one writer at a time and no row locks to ask for.
            .with_for_update(skip_locked=True, of=tickets)
        )
        return self._all(query)


class SqlAlchemyIdentityRepository(_SessionRepository, ChatAccountRepository):
    def get(self, channel: str, account: str) -> ChatAccount | None:
        return self._one(select(ChatAccount).filter_by(channel=channel, account=account))

    def get_by_id(self, identity_id: int) -> ChatAccount | None:
        return self.session.get(ChatAccount, identity_id)

    def add(self, account: ChatAccount) -> None:
        self._insert("chat identity", account)


class SqlAlchemyResidentRepository(_SessionRepository, ResidentRepository):
    def get(self, resident_id: int) -> Resident | None:
        return self.session.get(Resident, resident_id)

    def nik_known_elsewhere(self, nik: str, account_id: int) -> bool:
        residents, identities, tickets = orm.residents, orm.chat_identities, orm.tickets
        linked = exists().where(
            identities.c.resident_id == residents.c.id, identities.c.id != account_id
        )
        # A ticket filed at a desk has no chat account: it is someone else's too.
        filed = exists().where(
            tickets.c.resident_id == residents.c.id,
            or_(
                tickets.c.filed_by_identity_id.is_(None),
                tickets.c.filed_by_identity_id != account_id,
            ),
        )
        query = select(residents.c.id).where(residents.c.nik == nik, or_(linked, filed)).limit(1)
        return self.session.execute(query).first() is not None

    def add(self, resident: Resident) -> None:
        self._insert("resident", resident)


class SqlAlchemyOfficerRepository(_SessionRepository, OfficerRepository):
    def add(self, officer: Officer) -> None:
        self._insert("officer", officer)

    def get(self, officer_id: int) -> Officer | None:
        return self.session.get(Officer, officer_id)

    def by_identity(self, identity_id: int) -> Officer | None:
        return self._one(select(Officer).filter_by(chat_identity_id=identity_id))


class SqlAlchemyAuditLog(_SessionRepository, AuditLog):
    def add(self, entry: AuditEntry) -> None:
        self.session.add(entry)

    def for_subject(self, subject: str) -> list[AuditEntry]:
        entry_id = getattr(AuditEntry, "id")  # noqa: B009
        return self._all(select(AuditEntry).filter_by(subject=subject).order_by(entry_id))

    def latest(self, *, limit: int) -> list[AuditEntry]:
        return self._all(select(AuditEntry).order_by(orm.audit_log.c.id.desc()).limit(limit))


def _in_scope(scope: TicketScope | Area) -> Any:
    """The SQL form of :meth:`TicketScope.includes` (an area alone: the tickets filed there)."""
    if isinstance(scope, Area):
        return _in_area(scope)
    if not scope.active:
        return false()
    if scope.agency_code is not None:
        tickets = orm.tickets
        return or_(
            tickets.c.agency_code == scope.agency_code, tickets.c.escalated_to == scope.agency_code
        )
    return _in_area(scope.area)


def _in_area(area: Area) -> Any:
    """Tickets in ``area`` (case-insensitive); the whole province when it names nothing."""
    tickets = orm.tickets
    conditions = []
    for column, value in (
        (tickets.c.kabupaten_kota, area.kabupaten_kota),
        (tickets.c.kecamatan, area.kecamatan),
        (tickets.c.desa, area.desa),
    ):
        if value is not None:
            conditions.append(func.lower(column) == value.strip().lower())
    return and_(True, *conditions)
