"""Where the system of record keeps personal data, as erasure and retention see it.

:class:`PersonalDataStore` opens transactions; in one, :class:`PersonalDataTables`
finds one resident's rows, erases them and expires what is past its period.
``bot.adapters.db.personal_data`` implements both; :mod:`bot.services.privacy`
decides what goes and when.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Account", "Found", "PersonalDataStore", "PersonalDataTables"]


@dataclass(frozen=True)
class Account:
    id: int
    channel: str
    account: str


@dataclass(frozen=True)
class Found:
    """One resident's rows: the residents named, their chat accounts, their tickets."""

    residents: tuple[int, ...]
    accounts: tuple[Account, ...]
    tickets: tuple[int, ...]
    names: tuple[str, ...]  # the names the residents gave (to find them in free text)

    @property
    def empty(self) -> bool:
        return not (self.residents or self.accounts)


class PersonalDataTables(Protocol):
    """Finding, erasing and expiring personal data inside one transaction (ids are rows')."""

    def find(self, *, nik: str | None = None, phone: str | None = None) -> Found: ...

    def ticket_numbers(self, ticket_ids: Collection[int]) -> list[str]: ...

    def attachment_refs(self, ticket_ids: Collection[int]) -> list[str]:
        """The platform references of the tickets' photos."""

    def erase_tickets(self, ticket_ids: Collection[int]) -> int:
        """Strip the personal fields and photos; the non-personal facts stay."""

    def erase_audit_texts(self, subjects: Collection[str]) -> int:
        """Free text in these tickets' audit entries (a note may name the resident)."""

    def erase_handoffs(self, account_ids: Collection[int]) -> int: ...

    def erase_messages(self, sender_ids: Collection[str]) -> tuple[int, int]:
        """Received and sent messages of these conversations: (received, sent)."""

    def erase_accounts(self, account_ids: Collection[int]) -> int: ...

    def erase_residents(self, resident_ids: Collection[int]) -> int: ...

    def erase_inbox_items(self, event_ids: Collection[int], names: Collection[str]) -> int:
        """NLU inbox items counted from these events, or naming one of ``names``."""

    def expired_inbound(self, before: datetime) -> list[int]: ...

    def expired_outbox(self, sent_before: datetime, failed_before: datetime) -> list[int]: ...

    def expired_handoffs(self, before: datetime) -> list[int]: ...

    def expired_tickets(self, before: datetime) -> list[int]:
        """Finished before ``before`` and still holding something personal."""

    def orphan_residents(self) -> list[int]: ...

    def idle_accounts(self, before: datetime) -> list[int]: ...

    def expired_inbox_items(self, before: datetime) -> list[int]: ...

    def delete_inbound(self, ids: Collection[int]) -> int: ...

    def delete_outbox(self, ids: Collection[int]) -> int: ...

    def delete_handoffs(self, ids: Collection[int]) -> int: ...

    def delete_inbox_items(self, ids: Collection[int]) -> int: ...

    def audit(
        self, *, actor: str, action: str, subject: str, details: Mapping[str, Any], at: datetime
    ) -> None:
        """One entry in the audit log, in this transaction."""


class PersonalDataStore(Protocol):
    def transaction(self, *, commit: bool = True) -> AbstractContextManager[PersonalDataTables]:
        """One transaction: committed, or (``commit=False``) rolled back even on success,
        so a dry run counts exactly what a real one would remove, and removes nothing."""

    def compact(self) -> None:
        """Leave no trace of deleted rows in free pages or logs (SQLite), where needed."""

    def close(self) -> None: ...
