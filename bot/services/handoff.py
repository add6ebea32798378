"""Handoff: a resident asks for a human officer; the request keeps the recent conversation."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

from bot.domain import tickets
from bot.domain.errors import HandoffLimitReached, HandoffReferenceUnavailable
from bot.domain.identity import ChatIdentity
from bot.domain.model import HandoffRequest
from bot.domain.office_hours import WIB, OfficeSchedule
from bot.services.shared import (
    MAX_NUMBER_ATTEMPTS,
    UnitOfWorkService,
    audit,
    blank_to_none,
    chat_account,
    configured,
)
from bot.services.unit_of_work import DuplicateKey
from bot.services.views import HandoffReceipt

log = logging.getLogger(__name__)

HANDOFF_PREFIX = "CS"
DAILY_HANDOFF_LIMIT = 5  # per chat account and day (WIB); settings may change it


@dataclass(eq=False, kw_only=True)
class Handoffs(UnitOfWorkService):
    # From the knowledge base (offices.yml), the one place the hours are written.
    office_hours: OfficeSchedule | None
    daily_limit: int = DAILY_HANDOFF_LIMIT

    async def request_handoff(
        self,
        *,
        identity: ChatIdentity,
        reason: str | None,
        transcript: list[dict[str, str]],
    ) -> HandoffReceipt:
        """Record a request for a human officer; says whether the office is open now."""
        hours = configured("knowledge", self.office_hours)
        return await asyncio.to_thread(
            self._request_handoff, hours, identity, reason, list(transcript)
        )

    def _request_handoff(
        self,
        hours: OfficeSchedule,
        identity: ChatIdentity,
        reason: str | None,
        transcript: list[dict[str, str]],
    ) -> HandoffReceipt:
        with self.uow_factory() as uow:
            now = self.clock()
            account = chat_account(uow, identity, now)
            assert account.id is not None
            # A day is the resident's day: counted from midnight in Lampung (WIB).
            midnight = now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
            if uow.handoffs.count_opened_since(account.id, midnight) >= self.daily_limit:
                log.info("handoff refused for %s: daily limit reached", identity.masked())
                raise HandoffLimitReached(self.daily_limit)
            for attempt in range(1, MAX_NUMBER_ATTEMPTS + 1):
                suffix = "".join(secrets.choice(tickets.ALPHABET) for _ in range(4))
                reference = f"{HANDOFF_PREFIX}-{now.astimezone(WIB):%y%m%d}-{suffix}"
                request = HandoffRequest(
                    reference=reference,
                    identity_id=account.id,
                    created_at=now,
                    reason=blank_to_none(reason),
                    transcript=[dict(line) for line in transcript],
                )
                try:
                    uow.handoffs.add(request)
                    break
                except DuplicateKey:
                    log.warning("handoff reference %s taken (attempt %d)", reference, attempt)
            else:
                raise HandoffReferenceUnavailable(MAX_NUMBER_ATTEMPTS)
            actor = f"identity:{account.id}"
            audit(uow, actor, "handoff.requested", reference, now, {"messages": len(transcript)})
            uow.commit()
            log.info("handoff %s requested by %s", reference, identity.masked())
            return HandoffReceipt(
                reference=reference,
                created_at=now,
                within_office_hours=hours.is_open(now),
                office_hours=hours.describe(),
            )
