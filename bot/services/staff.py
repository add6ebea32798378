"""Staff accounts: creation, throttled login, browser sessions, API tokens, revocation.

Passwords are argon2 hashes (argon2-cffi); session ids and tokens are random and
stored as SHA-256 digests. Hashing is slow on purpose, so it runs in a worker
thread. Sessions live in the database: logout ends one on every instance.
Throttling is :mod:`bot.services.login_throttle` (per username and address).
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

from bot.domain.model import AuditEntry
from bot.domain.staff import (
    InvalidStaffAccount,
    LoginFailed,
    LoginThrottled,
    Role,
    StaffAccount,
    StaffNotFound,
)
from bot.domain.vocabulary import region_names
from bot.services.agencies import AgencyDirectory
from bot.services.key_value import KeyValueStore
from bot.services.login_throttle import Counters, LoginLimits, LoginThrottle
from bot.services.shared import in_thread
from bot.services.unit_of_work import DuplicateKey, UnitOfWorkFactory

log = logging.getLogger(__name__)

__all__ = ["SESSION_LIFETIME", "TOKEN_LIFETIME", "StaffAccounts", "hash_token"]

MIN_PASSWORD_LENGTH = 10
SESSION_LIFETIME = timedelta(hours=8)  # one working day
TOKEN_LIFETIME = timedelta(days=90)  # CONSOLE_TOKEN_DAYS


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
        uow_factory: UnitOfWorkFactory,
        *,
        clock: Callable[[], datetime] = _utc_now,
        hasher: PasswordHasher | None = None,
        store: KeyValueStore | None = None,
        limits: LoginLimits | None = None,
        fallback_counters: Counters | None = None,
        session_lifetime: timedelta = SESSION_LIFETIME,
        token_lifetime: timedelta = TOKEN_LIFETIME,
        agencies: AgencyDirectory | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.agencies = agencies or AgencyDirectory()
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.throttle = LoginThrottle(store, limits, fallback=fallback_counters)
        self.session_lifetime = session_lifetime
        self.token_lifetime = token_lifetime
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
        agency_code: str | None = None,
    ) -> StaffAccount:
        """Create an account; InvalidStaffAccount for a bad name, area or password.

        ``agency_code`` makes an officer of that agency (InvalidAgencyCode or
        UnknownAgency naming a code the catalogue does not have)."""
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
            agency_code=_blank_to_none(agency_code),
        )
        account.validate()
        if account.agency_code is not None and account.role is not Role.OFFICER:
            raise InvalidStaffAccount("agency", "only an officer works for an agency")
        return await asyncio.to_thread(self._add, account)

    def _add(self, account: StaffAccount) -> StaffAccount:
        with self.uow_factory() as uow:
            if account.agency_code is not None:
                catalog = self.agencies.current(uow).catalog
                account.agency_code = catalog.agency(account.agency_code).code
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
                    details={
                        "role": account.role.value,
                        "area": account.area.label(),
                        **({"agency": account.agency_code} if account.agency_code else {}),
                    },
                )
            )
            uow.commit()
        log.info("staff account %s (%s) added", account.username, account.role.value)
        return account

    async def login(
        self, username: str, password: str, *, client: str | None = None
    ) -> StaffAccount:
        """The account for a right password; LoginFailed or LoginThrottled otherwise.

        ``client`` is the caller's address. A wrong password, an unknown username
        and an inactive account are one answer, after the same hashing work.
        """
        name = username.strip().lower()
        await self.throttle.before(name, client)
        try:
            account = await asyncio.to_thread(self._login, name, password)
        except LoginFailed:
            wait = await self.throttle.failed(name, client)
            if wait is not None:
                raise LoginThrottled(wait) from None
            raise
        await self.throttle.succeeded(name, client)
        return account

    def _login(self, username: str, password: str) -> StaffAccount:
        with self.uow_factory() as uow:
            account = uow.staff.account(username)
            if account is None or not account.active:
                self._verify(self._decoy, password)
                raise LoginFailed()
            # Nothing is written for a wrong password: a stranger's guesses leave the
            # account as it was (the throttle counts them, per address).
            if not self._verify(account.password_hash, password):
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

    @in_thread
    def revoke(self, username: str) -> int:
        """End every session and token of the account; returns how many tokens were revoked."""
        username = username.strip().lower()
        with self.uow_factory() as uow:
            account = uow.staff.account(username)
            if account is None or account.id is None:
                raise StaffNotFound(username)
            now = self.clock()
            account.sessions_valid_after = now
            uow.staff.save_account(account)
            uow.staff.end_sessions(now, staff_id=account.id)
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

    @in_thread
    def by_token(self, token: str) -> StaffAccount | None:
        """The account of a bearer token that is neither revoked nor expired."""
        issued_after = self.clock() - self.token_lifetime
        with self.uow_factory() as uow:
            account = uow.staff.account_by_token(hash_token(token), issued_after=issued_after)
            return account if account is not None and account.active else None

    async def start_session(self, account: StaffAccount) -> str:
        """A new browser session for a logged-in account; the id for its cookie."""
        session_id = secrets.token_urlsafe(32)
        await asyncio.to_thread(self._start_session, account, session_id)
        return session_id

    def _start_session(self, account: StaffAccount, session_id: str) -> None:
        assert account.id is not None
        now = self.clock()
        with self.uow_factory() as uow:
            uow.staff.add_session(
                account.id, hash_token(session_id), now, now + self.session_lifetime
            )
            uow.commit()

    @in_thread
    def for_session(self, session_id: str) -> StaffAccount | None:
        """The account of a session cookie; None once ended (logout, revocation), expired,
        or the account deactivated."""
        with self.uow_factory() as uow:
            found = uow.staff.session_account(hash_token(session_id), self.clock())
        if found is None:
            return None
        account, started = found
        if not account.active:
            return None
        valid_after = account.sessions_valid_after
        if valid_after is not None and started <= valid_after:
            return None
        return account

    @in_thread
    def end_session(self, session_id: str) -> bool:
        """Logout: the session is refused from now on, wherever its cookie is replayed."""
        with self.uow_factory() as uow:
            ended = uow.staff.end_sessions(self.clock(), session_hash=hash_token(session_id))
            uow.commit()
        return ended > 0
