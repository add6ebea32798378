"""Persistence for the staff console (SQLAlchemy Core over ``tables_staff``) and its unit of work.

Tickets are still read through the mapped :class:`bot.domain.model.Ticket`, so a
ticket in the console is the same object the bot files and changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.adapters.db import orm
from bot.adapters.db.repository import DuplicateKey
from bot.adapters.db.tables_staff import (
    handoff_messages,
    handoff_replies,
    handoff_routes,
    staff_accounts,
    staff_sessions,
    staff_tokens,
    ticket_filers,
    ticket_ratings,
)
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.domain.model import AuditEntry, HandoffStatus, Ticket, TicketKind, TicketStatus
from bot.domain.staff import Area, StaffAccount

__all__ = [
    "HandoffMessageRow",
    "HandoffRow",
    "QueueFilter",
    "ReplyRow",
    "StaffRepository",
    "StaffUnitOfWork",
]

_ACCOUNT_FIELDS = (
    "username",
    "full_name",
    "role",
    "kabupaten_kota",
    "kecamatan",
    "desa",
    "password_hash",
    "active",
    "failed_logins",
    "locked_until",
    "sessions_valid_after",
    "created_at",
)


@dataclass(frozen=True)
class QueueFilter:
    status: TicketStatus | None = None
    kind: TicketKind | None = None
    category: str | None = None
    created_after: datetime | None = None  # "age": only tickets newer than this
    created_before: datetime | None = None  # "age": only tickets older than this
    number: str | None = None  # canonical ticket number
    phones: tuple[str, ...] = ()  # the forms a phone may be stored in


@dataclass(frozen=True)
class HandoffRow:
    id: int
    reference: str
    channel: str
    account: str
    reason: str | None
    transcript: list[dict[str, str]]
    status: HandoffStatus
    created_at: datetime
    area: Area
    closed_at: datetime | None
    closed_by: str | None


@dataclass(frozen=True)
class ReplyRow:
    username: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class HandoffMessageRow:
    author: str  # "resident" or "bot"
    text: str
    emergency: bool
    created_at: datetime


def _account(row: Row) -> StaffAccount:
    values = row._mapping
    return StaffAccount(id=values["id"], **{k: values[k] for k in _ACCOUNT_FIELDS})


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------- accounts

    def add_account(self, account: StaffAccount) -> None:
        values = {k: getattr(account, k) for k in _ACCOUNT_FIELDS}
        try:
            with self.session.begin_nested():
                result = self.session.execute(insert(staff_accounts).values(**values))
        except IntegrityError as error:
            raise DuplicateKey("staff account") from error
        account.id = int(result.inserted_primary_key[0])

    def account(self, username: str) -> StaffAccount | None:
        row = self.session.execute(
            select(staff_accounts).where(staff_accounts.c.username == username)
        ).first()
        return None if row is None else _account(row)

    def account_by_id(self, staff_id: int) -> StaffAccount | None:
        row = self.session.execute(
            select(staff_accounts).where(staff_accounts.c.id == staff_id)
        ).first()
        return None if row is None else _account(row)

    def save_account(self, account: StaffAccount) -> None:
        """Write back the mutable parts: login counters, lock, sessions, active."""
        self.session.execute(
            update(staff_accounts)
            .where(staff_accounts.c.id == account.id)
            .values(
                failed_logins=account.failed_logins,
                locked_until=account.locked_until,
                sessions_valid_after=account.sessions_valid_after,
                active=account.active,
                password_hash=account.password_hash,
            )
        )

    def usernames(self, staff_ids: Sequence[int]) -> dict[int, str]:
        if not staff_ids:
            return {}
        rows = self.session.execute(
            select(staff_accounts.c.id, staff_accounts.c.username).where(
                staff_accounts.c.id.in_(set(staff_ids))
            )
        )
        return {int(r.id): str(r.username) for r in rows}

    # --------------------------------------------------------------- tokens

    def add_token(self, staff_id: int, token_hash: str, at: datetime) -> None:
        self.session.execute(
            insert(staff_tokens).values(staff_id=staff_id, token_hash=token_hash, created_at=at)
        )

    def account_by_token(self, token_hash: str, *, issued_after: datetime) -> StaffAccount | None:
        """The account of a token neither revoked nor issued before ``issued_after`` (expired)."""
        row = self.session.execute(
            select(staff_accounts)
            .join(staff_tokens, staff_tokens.c.staff_id == staff_accounts.c.id)
            .where(
                staff_tokens.c.token_hash == token_hash,
                staff_tokens.c.revoked_at.is_(None),
                staff_tokens.c.created_at > issued_after,
            )
        ).first()
        return None if row is None else _account(row)

    def revoke_tokens(self, staff_id: int, at: datetime) -> int:
        result = self.session.execute(
            update(staff_tokens)
            .where(staff_tokens.c.staff_id == staff_id, staff_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(result.rowcount or 0)

    # ------------------------------------------------------------- sessions

    def add_session(
        self, staff_id: int, session_hash: str, at: datetime, expires_at: datetime
    ) -> None:
        self.session.execute(
            insert(staff_sessions).values(
                staff_id=staff_id, session_hash=session_hash, created_at=at, expires_at=expires_at
            )
        )

    def session_account(
        self, session_hash: str, now: datetime
    ) -> tuple[StaffAccount, datetime] | None:
        """The account of a live session (not ended, not expired) and when it began."""
        row = self.session.execute(
            select(staff_accounts, staff_sessions.c.created_at.label("session_started"))
            .join(staff_sessions, staff_sessions.c.staff_id == staff_accounts.c.id)
            .where(
                staff_sessions.c.session_hash == session_hash,
                staff_sessions.c.ended_at.is_(None),
                staff_sessions.c.expires_at > now,
            )
        ).first()
        return None if row is None else (_account(row), row._mapping["session_started"])

    def end_sessions(
        self, at: datetime, *, session_hash: str | None = None, staff_id: int | None = None
    ) -> int:
        """End one session (by its hash) or every live session of an account."""
        statement = update(staff_sessions).where(staff_sessions.c.ended_at.is_(None))
        if session_hash is not None:
            statement = statement.where(staff_sessions.c.session_hash == session_hash)
        if staff_id is not None:
            statement = statement.where(staff_sessions.c.staff_id == staff_id)
        result = self.session.execute(statement.values(ended_at=at))
        return int(result.rowcount or 0)

    # -------------------------------------------------------------- tickets

    @staticmethod
    def _in_area(area: Area) -> Any:
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

    def queue(self, area: Area, flt: QueueFilter, *, limit: int) -> list[Ticket]:
        tickets = orm.tickets
        query = select(Ticket).where(self._in_area(area))
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
        return list(self.session.execute(query).scalars())

    def ticket(self, number: str) -> Ticket | None:
        return self.session.execute(
            select(Ticket).where(orm.tickets.c.number == number)
        ).scalar_one_or_none()

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

    def rating_of(self, ticket_id: int) -> tuple[int, str | None, datetime] | None:
        """(score, the resident's reason, when rated), or None before a rating."""
        row = self.session.execute(
            select(
                ticket_ratings.c.score, ticket_ratings.c.comment, ticket_ratings.c.created_at
            ).where(ticket_ratings.c.ticket_id == ticket_id)
        ).first()
        return None if row is None else (int(row.score), row.comment, row.created_at)

    # --------------------------------------------------------------- audit

    def audit_entries(self, *, limit: int) -> list[AuditEntry]:
        entry_id = orm.audit_log.c.id
        query = select(AuditEntry).order_by(entry_id.desc()).limit(limit)
        return list(self.session.execute(query).scalars())

    # ------------------------------------------------------------- handoffs

    def route_handoff(self, handoff_id: int, area: Area) -> None:
        self.session.execute(
            insert(handoff_routes).values(
                handoff_id=handoff_id,
                kabupaten_kota=area.kabupaten_kota,
                kecamatan=area.kecamatan,
                desa=area.desa,
            )
        )

    def _handoff_query(self) -> Any:
        requests, identities = orm.handoff_requests, orm.chat_identities
        return (
            select(
                requests,
                identities.c.channel,
                identities.c.account,
                handoff_routes.c.kabupaten_kota,
                handoff_routes.c.kecamatan,
                handoff_routes.c.desa,
                handoff_routes.c.closed_at,
                handoff_routes.c.closed_by,
            )
            .join(identities, identities.c.id == requests.c.identity_id)
            .outerjoin(handoff_routes, handoff_routes.c.handoff_id == requests.c.id)
        )

    @staticmethod
    def _handoff(row: Row) -> HandoffRow:
        v = row._mapping
        return HandoffRow(
            id=int(v["id"]),
            reference=str(v["reference"]),
            channel=str(v["channel"]),
            account=str(v["account"]),
            reason=v["reason"],
            transcript=list(v["transcript"] or []),
            status=HandoffStatus(v["status"]),
            created_at=v["created_at"],
            # A request with no route (recorded before routing, or routing failed)
            # belongs to the province: someone must see it.
            area=Area(v["kabupaten_kota"], v["kecamatan"], v["desa"]),
            closed_at=v["closed_at"],
            closed_by=v["closed_by"],
        )

    def handoffs(
        self, status: HandoffStatus | None, *, limit: int, kabupaten_kota: str | None = None
    ) -> list[HandoffRow]:
        """The newest handoffs; with ``kabupaten_kota``, only those routed there (in the
        query, so another area's many handoffs cannot push these out of the limit)."""
        requests = orm.handoff_requests
        query = self._handoff_query()
        if status is not None:
            query = query.where(requests.c.status == status.value)
        if kabupaten_kota is not None:
            query = query.where(
                func.lower(handoff_routes.c.kabupaten_kota) == kabupaten_kota.strip().lower()
            )
        query = query.order_by(requests.c.created_at.desc(), requests.c.id.desc()).limit(limit)
        return [self._handoff(row) for row in self.session.execute(query)]

    def handoff(self, reference: str) -> HandoffRow | None:
        row = self.session.execute(
            self._handoff_query().where(orm.handoff_requests.c.reference == reference)
        ).first()
        return None if row is None else self._handoff(row)

    def add_reply(self, handoff_id: int, staff_id: int, text: str, at: datetime) -> None:
        self.session.execute(
            insert(handoff_replies).values(
                handoff_id=handoff_id, staff_id=staff_id, text=text, created_at=at
            )
        )

    def replies(self, handoff_id: int) -> list[ReplyRow]:
        rows = self.session.execute(
            select(handoff_replies.c.text, handoff_replies.c.created_at, staff_accounts.c.username)
            .join(staff_accounts, staff_accounts.c.id == handoff_replies.c.staff_id)
            .where(handoff_replies.c.handoff_id == handoff_id)
            .order_by(handoff_replies.c.id)
        )
        return [ReplyRow(username=r.username, text=r.text, created_at=r.created_at) for r in rows]

    def add_handoff_message(
        self, handoff_id: int, author: str, text: str, at: datetime, *, emergency: bool = False
    ) -> None:
        self.session.execute(
            insert(handoff_messages).values(
                handoff_id=handoff_id, author=author, text=text, emergency=emergency, created_at=at
            )
        )

    def handoff_messages(self, handoff_id: int) -> list[HandoffMessageRow]:
        rows = self.session.execute(
            select(
                handoff_messages.c.author,
                handoff_messages.c.text,
                handoff_messages.c.emergency,
                handoff_messages.c.created_at,
            )
            .where(handoff_messages.c.handoff_id == handoff_id)
            .order_by(handoff_messages.c.id)
        )
        return [
            HandoffMessageRow(
                author=r.author, text=r.text, emergency=bool(r.emergency), created_at=r.created_at
            )
            for r in rows
        ]

    def latest_reply_at(self, handoff_id: int) -> datetime | None:
        """When an officer last answered this handoff (None: not yet)."""
        return self.session.execute(
            select(func.max(handoff_replies.c.created_at)).where(
                handoff_replies.c.handoff_id == handoff_id
            )
        ).scalar_one_or_none()

    def close_handoff(self, handoff: HandoffRow, actor: str, at: datetime) -> None:
        self.session.execute(
            update(orm.handoff_requests)
            .where(orm.handoff_requests.c.id == handoff.id)
            .values(status=HandoffStatus.CLOSED.value)
        )
        updated = self.session.execute(
            update(handoff_routes)
            .where(handoff_routes.c.handoff_id == handoff.id)
            .values(closed_at=at, closed_by=actor)
        )
        if not updated.rowcount:
            self.session.execute(
                insert(handoff_routes).values(handoff_id=handoff.id, closed_at=at, closed_by=actor)
            )


class StaffUnitOfWork(SqlAlchemyUnitOfWork):
    """The system of record's unit of work plus the staff console's repository."""

    staff: StaffRepository

    def __enter__(self) -> StaffUnitOfWork:
        super().__enter__()
        self.staff = StaffRepository(self.session)
        return self
