"""Repositories: collections of domain objects, one per aggregate, over a Session.

Abstract bases say what services may ask; the SQLAlchemy classes answer with
``select()`` in 2.0 style. Inserts that may hit a unique constraint run in a
SAVEPOINT, so a clash costs only that statement and the caller can retry.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.adapters.db import orm
from bot.domain.model import (
    AuditEntry,
    ChatAccount,
    HandoffRequest,
    Notification,
    NotificationStatus,
    Officer,
    Resident,
    Ticket,
)
from bot.domain.tickets import TicketKind

T = TypeVar("T")


class DuplicateKey(Exception):
    """An insert hit a unique constraint; the unit of work is still usable."""

    def __init__(self, entity: str) -> None:
        super().__init__(f"duplicate {entity}")
        self.entity = entity


class AbstractRepository(abc.ABC, Generic[T]):
    @abc.abstractmethod
    def add(self, obj: T) -> None:
        """Insert now; raise DuplicateKey when a unique key of the entity is taken."""


class AbstractTicketRepository(AbstractRepository[Ticket]):
    """Unique: the number and the idempotency key."""

    @abc.abstractmethod
    def get(self, number: str) -> Ticket | None: ...

    @abc.abstractmethod
    def get_by_idempotency_key(self, key: str) -> Ticket | None: ...

    @abc.abstractmethod
    def count_filed_since(self, identity_id: int, kind: TicketKind, since: datetime) -> int:
        """How many tickets of ``kind`` the chat account filed from ``since`` on."""

    @abc.abstractmethod
    def filed_by(self, identity_id: int, *, limit: int) -> list[Ticket]:
        """Tickets filed from one chat account, newest first."""


class AbstractIdentityRepository(AbstractRepository[ChatAccount]):
    """Unique: the channel and account."""

    @abc.abstractmethod
    def get(self, channel: str, account: str) -> ChatAccount | None: ...

    @abc.abstractmethod
    def get_by_id(self, identity_id: int) -> ChatAccount | None: ...


class AbstractResidentRepository(AbstractRepository[Resident]):
    """Residents as each chat account named them; a NIK may appear under several."""

    @abc.abstractmethod
    def get(self, resident_id: int) -> Resident | None: ...

    @abc.abstractmethod
    def nik_known_elsewhere(self, nik: str, account_id: int) -> bool:
        """Whether a resident with ``nik`` belongs to another chat account (linked to it,
        or on a ticket filed from it or by staff)."""


class AbstractOfficerRepository(AbstractRepository[Officer]):
    @abc.abstractmethod
    def get(self, officer_id: int) -> Officer | None: ...

    @abc.abstractmethod
    def by_identity(self, identity_id: int) -> Officer | None: ...


class AbstractAuditLog(AbstractRepository[AuditEntry]):
    @abc.abstractmethod
    def for_subject(self, subject: str) -> list[AuditEntry]: ...


class AbstractHandoffRepository(AbstractRepository[HandoffRequest]):
    """Unique: the reference."""

    @abc.abstractmethod
    def get(self, reference: str) -> HandoffRequest | None: ...

    @abc.abstractmethod
    def count_opened_since(self, identity_id: int, since: datetime) -> int:
        """How many handoffs this chat account asked for at or after ``since``."""


class AbstractNotificationOutbox(AbstractRepository[Notification]):
    @abc.abstractmethod
    def pending(self, *, limit: int = 100) -> list[Notification]: ...

    @abc.abstractmethod
    def for_ticket(self, ticket_id: int) -> list[Notification]: ...

    @abc.abstractmethod
    def mark_sent(self, notification: Notification, at: datetime) -> None: ...

    @abc.abstractmethod
    def get(self, notification_id: int) -> Notification | None: ...

    @abc.abstractmethod
    def due(self, *, now: datetime, limit: int) -> list[Notification]:
        """Pending ones whose backoff is over, oldest first, each only after its ticket's
        older pending ones (a resident must not hear "selesai" before "diproses")."""


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


class SqlAlchemyTicketRepository(_SessionRepository, AbstractTicketRepository):
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


class SqlAlchemyIdentityRepository(_SessionRepository, AbstractIdentityRepository):
    def get(self, channel: str, account: str) -> ChatAccount | None:
        return self._one(select(ChatAccount).filter_by(channel=channel, account=account))

    def get_by_id(self, identity_id: int) -> ChatAccount | None:
        return self.session.get(ChatAccount, identity_id)

    def add(self, account: ChatAccount) -> None:
        self._insert("chat identity", account)


class SqlAlchemyResidentRepository(_SessionRepository, AbstractResidentRepository):
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


class SqlAlchemyOfficerRepository(_SessionRepository, AbstractOfficerRepository):
    def add(self, officer: Officer) -> None:
        self._insert("officer", officer)

    def get(self, officer_id: int) -> Officer | None:
        return self.session.get(Officer, officer_id)

    def by_identity(self, identity_id: int) -> Officer | None:
        return self._one(select(Officer).filter_by(chat_identity_id=identity_id))


class SqlAlchemyAuditLog(_SessionRepository, AbstractAuditLog):
    def add(self, entry: AuditEntry) -> None:
        self.session.add(entry)

    def for_subject(self, subject: str) -> list[AuditEntry]:
        entry_id = getattr(AuditEntry, "id")  # noqa: B009
        return self._all(select(AuditEntry).filter_by(subject=subject).order_by(entry_id))


class SqlAlchemyHandoffRepository(_SessionRepository, AbstractHandoffRepository):
    def add(self, request: HandoffRequest) -> None:
        self._insert("handoff request", request)

    def get(self, reference: str) -> HandoffRequest | None:
        return self._one(select(HandoffRequest).filter_by(reference=reference))

    def count_opened_since(self, identity_id: int, since: datetime) -> int:
        requests = orm.handoff_requests
        query = select(func.count()).where(
            requests.c.identity_id == identity_id, requests.c.created_at >= since
        )
        return int(self.session.execute(query).scalar_one())


class SqlAlchemyNotificationOutbox(_SessionRepository, AbstractNotificationOutbox):
    def add(self, notification: Notification) -> None:
        self.session.add(notification)

    def _in_order(self, **criteria: Any) -> Select:
        notification_id = getattr(Notification, "id")  # noqa: B009
        return select(Notification).filter_by(**criteria).order_by(notification_id)

    def pending(self, *, limit: int = 100) -> list[Notification]:
        return self._all(self._in_order(status=NotificationStatus.PENDING).limit(limit))

    def for_ticket(self, ticket_id: int) -> list[Notification]:
        return self._all(self._in_order(ticket_id=ticket_id))

    def mark_sent(self, notification: Notification, at: datetime) -> None:
        notification.status = NotificationStatus.SENT
        notification.sent_at = at

    def get(self, notification_id: int) -> Notification | None:
        return self.session.get(Notification, notification_id)

    def due(self, *, now: datetime, limit: int) -> list[Notification]:
        table = orm.notifications
        older = table.alias("older")
        query = (
            select(Notification)
            .where(
                table.c.status == NotificationStatus.PENDING,
                or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
                ~exists().where(
                    older.c.ticket_id == table.c.ticket_id,
                    older.c.status == NotificationStatus.PENDING,
                    older.c.id < table.c.id,
                ),
            )
            .order_by(table.c.id)
            .limit(limit)
        )
        return self._all(query)
