"""What the feature services share: the clock, opaque keys, chat accounts, ticket views.

Every public service method is ``async``; database work runs in a worker thread
(:func:`in_thread`) so the action server's event loop never blocks on SQL. Each
call is one unit of work: it commits everything or nothing.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import KW_ONLY, dataclass, fields
from datetime import datetime, timezone
from typing import Any, ParamSpec, TypeVar

from bot.domain.errors import NotConfigured, TabikError
from bot.domain.identity import ChatIdentity
from bot.domain.model import AuditEntry, ChatAccount, StatusChange, Ticket
from bot.domain.nik import mask_nik
from bot.domain.privacy import mask_phone
from bot.services.unit_of_work import AbstractUnitOfWork, DuplicateKey, UnitOfWorkFactory
from bot.services.views import Receipt, StatusChangeView, StatusView, TicketDetails

Clock = Callable[[], datetime]
T = TypeVar("T")
V = TypeVar("V")
P = ParamSpec("P")

# A 4-character suffix gives ~920,000 numbers per kind and day; a handful of
# clashes in a row means something is wrong, not bad luck.
MAX_NUMBER_ATTEMPTS = 8


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(eq=False)
class UnitOfWorkService:
    """Base of the features that work on the system of record, one unit of work a call."""

    uow_factory: UnitOfWorkFactory
    _: KW_ONLY
    clock: Clock = utc_now


def in_thread(work: Callable[P, T]) -> Callable[P, Coroutine[Any, Any, T]]:
    """The async form of a blocking method: its body runs in a worker thread, so the
    event loop never waits for SQL or password hashing."""

    @functools.wraps(work)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(work, *args, **kwargs)

    return run


def configured(part: str, value: T | None) -> T:
    """``value``, or NotConfigured naming the part this process was built without."""
    if value is None:
        raise NotConfigured(part)
    return value


class NotFound(TabikError):
    """No such ``what`` (or none the caller may see); ``key`` is what was asked for."""

    what = "item"

    def __init__(self, key: object) -> None:
        super().__init__(f"no {self.what} {key}")
        self.key = key


def audit(
    uow: AbstractUnitOfWork,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    details: dict[str, Any],
) -> None:
    """Add a line to the audit log, in the caller's unit of work."""
    uow.audit.add(
        AuditEntry(actor=actor, action=action, subject=subject, created_at=at, details=details)
    )


def blank_to_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def hashed(*parts: str) -> str:
    """A stable opaque key; chat account ids (phone numbers on WhatsApp) stay out of keys."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def chat_account(uow: AbstractUnitOfWork, identity: ChatIdentity, now: datetime) -> ChatAccount:
    """The chat account of ``identity``, added on its first filing or handoff."""
    account = uow.identities.get(identity.channel, identity.account)
    if account is not None:
        return account
    account = ChatAccount(channel=identity.channel, account=identity.account, created_at=now)
    try:
        uow.identities.add(account)
    except DuplicateKey:
        # The same account's other message got there first.
        existing = uow.identities.get(identity.channel, identity.account)
        if existing is None:
            raise
        return existing
    return account


def view_of(view: Callable[..., V], source: object, **given: Any) -> V:
    """The dataclass ``view`` of a domain object: every field not ``given`` is the
    attribute of ``source`` of the same name."""
    taken = (f.name for f in fields(view) if f.name not in given)  # type: ignore[arg-type]
    return view(**{name: getattr(source, name) for name in taken}, **given)


def receipt(ticket: Ticket, *, created: bool) -> Receipt:
    return view_of(Receipt, ticket, created=created)


def _history(changes: list[StatusChange]) -> tuple[StatusChangeView, ...]:
    return tuple(view_of(StatusChangeView, c, at=c.created_at) for c in changes)


def ticket_view(
    uow: AbstractUnitOfWork, ticket: Ticket, *, is_owner: bool, full: bool
) -> StatusView:
    """The ticket as a caller may see it: details and history only when ``full``."""
    details = None
    if full:
        resident = uow.residents.get(ticket.resident_id) if ticket.resident_id is not None else None
        details = view_of(
            TicketDetails,
            ticket,
            full_name=resident.full_name if resident else None,
            nik_masked=mask_nik(resident.nik) if resident and resident.nik else None,
            phone_masked=mask_phone(resident.phone) if resident else None,
            attachments=len(ticket.attachments),
        )
    return view_of(
        StatusView,
        ticket,
        # A rejection's reason may name people or places: owners and officers only.
        note=ticket.latest_note if full else None,
        is_owner=is_owner,
        details=details,
        history=_history(ticket.history) if full else (),
    )
