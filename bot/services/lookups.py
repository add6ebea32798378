"""Ticket status for residents: the number alone shows the status word; details only the owner.

Anyone with the full number sees its status word and date. Details (description,
place, name, masked NIK and phone) and the history go only to the chat account
that filed it or to an officer whose area covers it. Guessing numbers is
throttled per chat account: a few unknown numbers in a window block lookups.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.domain import tickets
from bot.domain.errors import TicketNotFound, TooManyLookups
from bot.domain.identity import ChatIdentity
from bot.services.key_value import KeyValueStore
from bot.services.shared import UnitOfWorkService, hashed, ticket_view
from bot.services.views import StatusView

log = logging.getLogger(__name__)

LOOKUP_MISS_LIMIT = 5
LOOKUP_WINDOW_SECONDS = 600.0
# REST and terminal identities are free to invent, so they share one (larger) miss budget.
SHARED_LOOKUP_CHANNELS = frozenset({"rest", "cli"})
SHARED_LOOKUP_FACTOR = 20


@dataclass(eq=False, kw_only=True)
class Lookups(UnitOfWorkService):
    store: KeyValueStore
    miss_limit: int = LOOKUP_MISS_LIMIT
    window_seconds: float = LOOKUP_WINDOW_SECONDS

    def _miss_key(self, identity: ChatIdentity) -> str:
        if identity.channel in SHARED_LOOKUP_CHANNELS:
            # A REST id costs nothing to rotate: all REST clients share one budget.
            return "lookup-miss:shared:" + identity.channel
        return "lookup-miss:" + hashed(identity.channel, identity.account)[:32]

    def _miss_limit(self, identity: ChatIdentity) -> int:
        if identity.channel in SHARED_LOOKUP_CHANNELS:
            return self.miss_limit * SHARED_LOOKUP_FACTOR
        return self.miss_limit

    async def ticket_status(self, number_text: str, *, identity: ChatIdentity) -> StatusView:
        """Status of a ticket by number; details and history only for its owner/officers.

        Raises InvalidTicketNumber (not a number), TicketNotFound (no such ticket) and,
        after too many unknown numbers from one account, TooManyLookups.
        """
        number = str(tickets.parse(number_text))
        key = self._miss_key(identity)
        misses = await self.store.get(key)
        if misses is not None and int(misses) >= self._miss_limit(identity):
            retry_after = await self.store.ttl(key)
            log.warning("lookups blocked for %s", identity.masked())
            raise TooManyLookups(retry_after if retry_after is not None else self.window_seconds)

        def status() -> StatusView | None:
            with self.uow_factory() as uow:
                ticket = uow.tickets.get(number)
                if ticket is None:
                    return None
                account = uow.identities.get(identity.channel, identity.account)
                is_owner = account is not None and ticket.filed_by_identity_id == account.id
                authorised = is_owner
                if not is_owner and account is not None and account.id is not None:
                    officer = uow.officers.by_identity(account.id)
                    authorised = officer is not None and officer.may_see(ticket)
                return ticket_view(uow, ticket, is_owner=is_owner, full=authorised)

        view = await asyncio.to_thread(status)
        if view is None:
            await self.store.incr(key, self.window_seconds)
            raise TicketNotFound(number)
        return view

    async def tickets_of(self, identity: ChatIdentity, *, limit: int = 5) -> list[StatusView]:
        """The tickets this chat account filed, newest first (owner views)."""

        def owned() -> list[StatusView]:
            with self.uow_factory() as uow:
                account = uow.identities.get(identity.channel, identity.account)
                if account is None or account.id is None:
                    return []
                return [
                    ticket_view(uow, ticket, is_owner=True, full=True)
                    for ticket in uow.tickets.filed_by(account.id, limit=limit)
                ]

        return await asyncio.to_thread(owned)
