"""The repositories the use cases ask, one per aggregate; ``bot.adapters.db`` answers.

Each works in its unit of work's transaction. An insert that hits a unique key raises
:class:`DuplicateKey` and leaves the unit of work usable, so the caller may retry.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import (
    AuditEntry,
    ChatAccount,
    HandoffRequest,
    HandoffStatus,
    Officer,
    Resident,
    Ticket,
    TicketKind,
    TicketStatus,
)
from bot.domain.scope import TicketScope
from bot.domain.staff import Area, StaffAccount

__all__ = [
    "AgencyRepository",
    "AgencyRow",
    "AuditLog",
    "ChatAccountRepository",
    "DuplicateKey",
    "HandoffMessageRow",
    "HandoffRepository",
    "HandoffRow",
    "OfficerRepository",
    "PendingRatingRow",
    "QueueFilter",
    "RatingRepository",
    "ReplyRow",
    "ResidentRepository",
    "RuleRow",
    "StaffRepository",
    "StoredRating",
    "TicketRepository",
    "TicketTransfer",
    "TransferLog",
]


class DuplicateKey(Exception):
    """An insert hit a unique constraint; the unit of work is still usable."""

    def __init__(self, entity: str) -> None:
        super().__init__(f"duplicate {entity}")
        self.entity = entity


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
    # The holder and the watcher of the resident's latest ticket, as they are now.
    agency_code: str | None = None
    escalated_to: str | None = None


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


@dataclass(frozen=True)
class PendingRatingRow:
    ticket_id: int
    number: str
    asked_at: datetime


@dataclass(frozen=True)
class StoredRating:
    score: int
    comment: str | None
    created_at: datetime


class TicketRepository(abc.ABC):
    """Tickets with their history and attachments. Unique: the number and the idempotency key."""

    @abc.abstractmethod
    def add(self, ticket: Ticket) -> None:
        """Insert now; DuplicateKey when the number or the idempotency key is taken."""

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

    @abc.abstractmethod
    def queue(self, scope: TicketScope | Area, flt: QueueFilter, *, limit: int) -> list[Ticket]:
        """The tickets in ``scope`` (an area: those filed there) matching ``flt``, newest first."""

    @abc.abstractmethod
    def record_filer(self, ticket_id: int, staff_id: int, at: datetime) -> None:
        """The staff account that filed the ticket at a desk."""

    @abc.abstractmethod
    def filer_of(self, ticket_id: int) -> str | None:
        """The username that filed the ticket at a desk, or None."""

    @abc.abstractmethod
    def unfinished(self, *, counted_before: datetime) -> list[Ticket]:
        """The tickets not yet ``selesai`` or ``ditolak`` whose service level started before
        ``counted_before`` (``received_at``, else ``created_at``), oldest first."""


class ChatAccountRepository(abc.ABC):
    """Chat accounts (channel and account); unique: the pair."""

    @abc.abstractmethod
    def add(self, account: ChatAccount) -> None: ...

    @abc.abstractmethod
    def get(self, channel: str, account: str) -> ChatAccount | None: ...

    @abc.abstractmethod
    def get_by_id(self, identity_id: int) -> ChatAccount | None: ...


class ResidentRepository(abc.ABC):
    """Residents as each chat account named them; a NIK may appear under several."""

    @abc.abstractmethod
    def add(self, resident: Resident) -> None: ...

    @abc.abstractmethod
    def get(self, resident_id: int) -> Resident | None: ...

    @abc.abstractmethod
    def nik_known_elsewhere(self, nik: str, account_id: int) -> bool:
        """Whether a resident with ``nik`` belongs to another chat account (linked to it,
        or on a ticket filed from it or by staff)."""


class OfficerRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, officer: Officer) -> None: ...

    @abc.abstractmethod
    def get(self, officer_id: int) -> Officer | None: ...

    @abc.abstractmethod
    def by_identity(self, identity_id: int) -> Officer | None: ...


class AuditLog(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: AuditEntry) -> None: ...

    @abc.abstractmethod
    def for_subject(self, subject: str) -> list[AuditEntry]: ...

    @abc.abstractmethod
    def latest(self, *, limit: int) -> list[AuditEntry]:
        """The newest entries first."""


class StaffRepository(abc.ABC):
    """Staff accounts with their API tokens and browser sessions."""

    @abc.abstractmethod
    def add_account(self, account: StaffAccount) -> None:
        """Insert and set ``account.id``; DuplicateKey when the username is taken."""

    @abc.abstractmethod
    def account(self, username: str) -> StaffAccount | None: ...

    @abc.abstractmethod
    def account_by_id(self, staff_id: int) -> StaffAccount | None: ...

    @abc.abstractmethod
    def save_account(self, account: StaffAccount) -> None:
        """Write back the mutable parts: login counters, lock, sessions, active, password."""

    @abc.abstractmethod
    def usernames(self, staff_ids: Sequence[int]) -> dict[int, str]: ...

    @abc.abstractmethod
    def add_token(self, staff_id: int, token_hash: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def account_by_token(self, token_hash: str, *, issued_after: datetime) -> StaffAccount | None:
        """The account of a token neither revoked nor issued before ``issued_after``."""

    @abc.abstractmethod
    def revoke_tokens(self, staff_id: int, at: datetime) -> int: ...

    @abc.abstractmethod
    def add_session(
        self, staff_id: int, session_hash: str, at: datetime, expires_at: datetime
    ) -> None: ...

    @abc.abstractmethod
    def session_account(
        self, session_hash: str, now: datetime
    ) -> tuple[StaffAccount, datetime] | None:
        """The account of a live session (not ended, not expired) and when it began."""

    @abc.abstractmethod
    def end_sessions(
        self, at: datetime, *, session_hash: str | None = None, staff_id: int | None = None
    ) -> int:
        """End one session (by its hash) or every live session of an account."""


class HandoffRepository(abc.ABC):
    """Handoff requests with their route, the officers' replies and the resident's messages.
    Unique: the reference."""

    @abc.abstractmethod
    def add(self, request: HandoffRequest) -> None: ...

    @abc.abstractmethod
    def get(self, reference: str) -> HandoffRequest | None: ...

    @abc.abstractmethod
    def count_opened_since(self, identity_id: int, since: datetime) -> int:
        """How many handoffs this chat account asked for at or after ``since``."""

    @abc.abstractmethod
    def row(self, reference: str) -> HandoffRow | None:
        """The request as the desk sees it: chat account, area and closing."""

    @abc.abstractmethod
    def newest(
        self,
        status: HandoffStatus | None,
        *,
        limit: int,
        kabupaten_kota: str | None = None,
        agency_code: str | None = None,
    ) -> list[HandoffRow]:
        """The newest requests; with ``kabupaten_kota``, only those routed there; with
        ``agency_code``, only those whose resident's latest ticket it holds or watches."""

    @abc.abstractmethod
    def route(self, handoff_id: int, area: Area) -> None: ...

    @abc.abstractmethod
    def close(self, handoff: HandoffRow, actor: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def add_reply(self, handoff_id: int, staff_id: int, text: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def replies(self, handoff_id: int) -> list[ReplyRow]: ...

    @abc.abstractmethod
    def latest_reply_at(self, handoff_id: int) -> datetime | None:
        """When an officer last answered this handoff (None: not yet)."""

    @abc.abstractmethod
    def add_message(
        self, handoff_id: int, author: str, text: str, at: datetime, *, emergency: bool = False
    ) -> None: ...

    @abc.abstractmethod
    def messages(self, handoff_id: int) -> list[HandoffMessageRow]: ...


class RatingRepository(abc.ABC):
    """The pending rating question per chat account, and the stored answers per ticket."""

    @abc.abstractmethod
    def ask(self, identity_id: int, ticket_id: int, at: datetime) -> None:
        """The account's pending question is now this ticket's (a newer one replaces it)."""

    @abc.abstractmethod
    def pending(self, identity_id: int) -> PendingRatingRow | None: ...

    @abc.abstractmethod
    def forget(self, identity_id: int) -> None: ...

    @abc.abstractmethod
    def get(self, ticket_id: int) -> StoredRating | None: ...

    @abc.abstractmethod
    def add(self, ticket_id: int, score: int, at: datetime) -> None: ...

    @abc.abstractmethod
    def set_comment(self, ticket_id: int, comment: str) -> None: ...


@dataclass(frozen=True)
class AgencyRow:
    """An agency an admin added, or the new name of one of the catalogue's."""

    code: str
    name: str
    level: str
    kabupaten_kota: str | None = None
    handles: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class RuleRow:
    """An admin's routing rule: tickets of ``ticket_kind`` about ``subject`` go to ``target``."""

    ticket_kind: TicketKind
    subject: str
    target: str  # a kind of agency or one agency's code
    kabupaten_kota: str | None = None


class AgencyRepository(abc.ABC):
    """What admins changed in the catalogue and the routing table (on top of the defaults)."""

    @abc.abstractmethod
    def version(self) -> tuple[int, ...]:
        """Changes whenever an agency or a rule is added or replaced (a cheap query)."""

    @abc.abstractmethod
    def agencies(self) -> list[AgencyRow]:
        """The admins' agencies, oldest first."""

    @abc.abstractmethod
    def rules(self) -> list[RuleRow]:
        """The admins' rules in the order they were made (a later one replaces an earlier)."""

    @abc.abstractmethod
    def save_agency(self, row: AgencyRow, *, at: datetime) -> None:
        """Add the agency, or replace the admins' row of the same code."""

    @abc.abstractmethod
    def add_rule(self, row: RuleRow, *, created_by: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class TicketTransfer:
    """One move of a ticket between agencies: a forward, a delegation, bukan wewenang,
    or an escalation (``reason`` ``eskalasi``: the holder stays, ``to_agency`` watches)."""

    ticket_id: int
    from_agency: str | None
    to_agency: str
    reason: str
    actor: str
    created_at: datetime
    note: str | None = None


class TransferLog(abc.ABC):
    """``ticket_transfers``: appended, never edited."""

    @abc.abstractmethod
    def add(self, transfer: TicketTransfer) -> None: ...

    @abc.abstractmethod
    def of_ticket(self, ticket_id: int) -> list[TicketTransfer]:
        """The ticket's transfers, oldest first."""
