"""Staff accounts with their API tokens and browser sessions (SQLAlchemy Core over
``tables_staff``), in the unit of work's session (``uow.staff``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.adapters.db.tables_staff import staff_accounts, staff_sessions, staff_tokens
from bot.domain.staff import StaffAccount
from bot.services.repositories import DuplicateKey, StaffRepository

__all__ = ["SqlAlchemyStaffRepository"]

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
    "agency_code",
)


def _account(row: Row) -> StaffAccount:
    values = row._mapping
    return StaffAccount(id=values["id"], **{k: values[k] for k in _ACCOUNT_FIELDS})


class SqlAlchemyStaffRepository(StaffRepository):
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
