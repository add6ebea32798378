"""The audit log: who viewed or changed what, and when (written by every staff action,
read by admins only)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.domain.errors import NotAuthorised
from bot.domain.model import AuditEntry
from bot.domain.staff import StaffAccount
from bot.services.shared import in_thread
from bot.services.unit_of_work import UnitOfWorkFactory

__all__ = ["MAX_ENTRIES", "SUBJECT_LENGTH", "StaffAudit"]

MAX_ENTRIES = 1000
# The audit log's subject column is 60 characters.
SUBJECT_LENGTH = 60


class StaffAudit:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self.uow_factory = uow_factory

    def record(self, actor: str, action: str, subject: str, details: dict[str, Any]) -> None:
        """One entry, committed now (blocking: call it from a thread in async code)."""
        with self.uow_factory() as uow:
            uow.audit.add(
                AuditEntry(
                    actor=actor,
                    action=action,
                    subject=subject[:SUBJECT_LENGTH],
                    created_at=datetime.now(timezone.utc),
                    details=details,
                )
            )
            uow.commit()

    @in_thread
    def entries(self, user: StaffAccount, *, limit: int = 100) -> list[dict[str, Any]]:
        """The newest entries first; NotAuthorised for anyone but an admin."""
        if not user.is_admin:
            raise NotAuthorised(user.actor, "read the audit log")
        limit = max(1, min(limit, MAX_ENTRIES))
        with self.uow_factory() as uow:
            return [
                {
                    "at": e.created_at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "ticket": e.subject,  # the API says "ticket"; model entries name a model here
                }
                for e in uow.audit.latest(limit=limit)
            ]
