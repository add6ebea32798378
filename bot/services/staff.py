"""Staff accounts: creation, login with throttling and lockout, API tokens, revocation.

Passwords are argon2 hashes (argon2-cffi); tokens are random and stored as
SHA-256 digests. Hashing is slow on purpose, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.adapters.db.repository import DuplicateKey
from bot.adapters.db.staff_repository import StaffUnitOfWork
from bot.adapters.kv import KeyValueStore
from bot.domain.model import AuditEntry
from bot.domain.staff import (
    AccountLocked,
    InvalidStaffAccount,
    LoginFailed,
    Role,
    StaffAccount,
    StaffNotFound,
)
from bot.domain.vocabulary import region_names

log = logging.getLogger(__name__)

__all__ = ["MAX_FAILED_LOGINS", "StaffAccounts", "hash_token"]

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
# Per client address, across usernames: guessing many accounts is slowed too.
MAX_FAILURES_PER_CLIENT = 20
CLIENT_WINDOW_SECONDS = 900.0


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _blank_to_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


class StaffAccounts:
    def __init__(
        self,
        uow_factory: Callable[[], StaffUnitOfWork],
        *,
        clock: Callable[[], datetime] = _utc_now,
        hasher: PasswordHasher | None = None,
        max_failures: int = MAX_FAILED_LOGINS,
        lock_for: timedelta = timedelta(minutes=LOCK_MINUTES),
        store: KeyValueStore | None = None,
        max_client_failures: int = MAX_FAILURES_PER_CLIENT,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.max_failures = max_failures
        self.lock_for = lock_for
        self.store = store
        self.max_client_failures = max_client_failures
        # Verified against when the username is unknown, so both cases take as long.
        self._decoy = self.hasher.hash(secrets.token_urlsafe(16))

    async def add(
        self,
        username: str,
        *,
        role: Role | str,
        password: str,
        full_name: str | None = None,
        kabupaten_kota: str | None = None,
        kecamatan: str | None = None,
        desa: str | None = None,
    ) -> StaffAccount:
        """Create an account; InvalidStaffAccount for a bad name, area or password."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidStaffAccount("password", f"at least {MIN_PASSWORD_LENGTH} characters")
        kabupaten_kota = _blank_to_none(kabupaten_kota)
        if kabupaten_kota is not None and kabupaten_kota not in region_names():
            raise InvalidStaffAccount(
                "kabupaten_kota", f"unknown kabupaten/kota {kabupaten_kota!r}"
            )
        account = StaffAccount(
            username=username.strip().lower(),
            full_name=_blank_to_none(full_name) or username.strip(),
            role=Role(role),
            password_hash=await asyncio.to_thread(self.hasher.hash, password),
            created_at=self.clock(),
            kabupaten_kota=kabupaten_kota,
            kecamatan=_blank_to_none(kecamatan),
            desa=_blank_to_none(desa),
        )
        account.validate()
        return await asyncio.to_thread(self._add, account)

    def _add(self, account: StaffAccount) -> StaffAccount:
        with self.uow_factory() as uow:
            try:
                uow.staff.add_account(account)
            except DuplicateKey as error:
                raise InvalidStaffAccount("username", "already taken") from error
            uow.audit.add(
                AuditEntry(
                    actor="cli",
                    action="staff.added",
                    subject=account.username,
                    created_at=account.created_at,
                    details={"role": account.role.value, "area": account.area.label()},
                )
            )
            uow.commit()
        log.info("staff account %s (%s) added", account.username, account.role.value)
        return account

    async def login(
        self, username: str, password: str, *, client: str | None = None
    ) -> StaffAccount:
        """The account for a right password; LoginFailed or AccountLocked otherwise.

        ``client`` (the caller's address) is throttled across usernames when a
        key-value store is given.
        """
        key = f"staff-login:{hash_token(client)[:32]}" if client and self.store else None
        if key is not None and self.store is not None:
            failures = int(await self.store.get(key) or 0)
            if failures >= self.max_client_failures:
                wait = await self.store.ttl(key) or CLIENT_WINDOW_SECONDS
                raise AccountLocked(self.clock() + timedelta(seconds=wait), wait)
        try:
            return await asyncio.to_thread(self._login, username.strip().lower(), password)
        except (LoginFailed, AccountLocked):
            if key is not None and self.store is not None:
                await self.store.incr(key, CLIENT_WINDOW_SECONDS)
            raise

    def _login(self, username: str, password: str) -> StaffAccount:
        with self.uow_factory() as uow:
            account = uow.staff.account(username)
            now = self.clock()
            if account is None or not account.active:
                self._verify(self._decoy, password)
                raise LoginFailed()
            if account.locked_until is not None and account.locked_until > now:
                raise AccountLocked(
                    account.locked_until, (account.locked_until - now).total_seconds()
                )
            if not self._verify(account.password_hash, password):
                account.failed_logins += 1
                locked = account.failed_logins >= self.max_failures
                if locked:
                    account.locked_until = now + self.lock_for
                    account.failed_logins = 0
                    log.warning("staff account %s locked after failed logins", username)
                uow.staff.save_account(account)
                uow.commit()
                if locked:
                    assert account.locked_until is not None
                    raise AccountLocked(account.locked_until, self.lock_for.total_seconds())
                raise LoginFailed()
            account.failed_logins = 0
            account.locked_until = None
            if self.hasher.check_needs_rehash(account.password_hash):
                account.password_hash = self.hasher.hash(password)
            uow.staff.save_account(account)
            uow.commit()
            return account

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    async def issue_token(self, username: str) -> str:
        """A new bearer token for the JSON API (shown once; only its digest is kept)."""
        token = secrets.token_urlsafe(32)
        await asyncio.to_thread(self._issue_token, username.strip().lower(), token)
        return token

    def _issue_token(self, username: str, token: str) -> None:
        with self.uow_factory() as uow:
            account = uow.staff.account(username)
            if account is None or account.id is None:
                raise StaffNotFound(username)
            now = self.clock()
            uow.staff.add_token(account.id, hash_token(token), now)
            uow.audit.add(
                AuditEntry(
                    actor="cli", action="staff.token_issued", subject=username, created_at=now
                )
            )
            uow.commit()

    async def revoke(self, username: str) -> int:
        """End every session and token of the account; returns how many tokens were revoked."""
        return await asyncio.to_thread(self._revoke, username.strip().lower())

    def _revoke(self, username: str) -> int:
        with self.uow_factory() as uow:
            account = uow.staff.account(username)
            if account is None or account.id is None:
                raise StaffNotFound(username)
            now = self.clock()
            account.sessions_valid_after = now
            uow.staff.save_account(account)
            revoked = uow.staff.revoke_tokens(account.id, now)
            uow.audit.add(
                AuditEntry(
                    actor="cli",
                    action="staff.revoked",
                    subject=username,
                    created_at=now,
                    details={"tokens": revoked},
                )
            )
            uow.commit()
            return revoked

    async def by_token(self, token: str) -> StaffAccount | None:
        return await asyncio.to_thread(self._by_token, token)

    def _by_token(self, token: str) -> StaffAccount | None:
        with self.uow_factory() as uow:
            account = uow.staff.account_by_token(hash_token(token))
            return account if account is not None and account.active else None

    async def for_session(self, staff_id: int, issued_at: datetime) -> StaffAccount | None:
        """The account of a session cookie, or None when revoked since or deactivated."""
        return await asyncio.to_thread(self._for_session, staff_id, issued_at)

    def _for_session(self, staff_id: int, issued_at: datetime) -> StaffAccount | None:
        with self.uow_factory() as uow:
            account = uow.staff.account_by_id(staff_id)
        if account is None or not account.active:
            return None
        valid_after = account.sessions_valid_after
        if valid_after is not None and issued_at <= valid_after:
            return None
        return account
