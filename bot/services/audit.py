"""Reading the audit log: who viewed or changed what, and when (admins only)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.adapters.db.staff_repository import StaffUnitOfWork
from bot.domain.errors import NotAuthorised
from bot.domain.staff import StaffAccount

__all__ = ["MAX_ENTRIES", "StaffAudit"]

MAX_ENTRIES = 1000


class StaffAudit:
    def __init__(self, uow_factory: Callable[[], StaffUnitOfWork]) -> None:
        self.uow_factory = uow_factory

    async def entries(self, user: StaffAccount, *, limit: int = 100) -> list[dict[str, Any]]:
        """The newest entries first; NotAuthorised for anyone but an admin."""
        if not user.is_admin:
            raise NotAuthorised(user.actor, "read the audit log")
        return await asyncio.to_thread(self._entries, max(1, min(limit, MAX_ENTRIES)))

    def _entries(self, limit: int) -> list[dict[str, Any]]:
        with self.uow_factory() as uow:
            return [
                {
                    "at": e.created_at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "ticket": e.subject,
                }
                for e in uow.staff.audit_entries(limit=limit)
            ]
