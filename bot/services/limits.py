"""Daily limits per chat account: how many complaints (or handoffs, …) one account may open.

A day is a calendar day in Lampung (WIB), so the limit resets at local midnight, when
a resident expects it. Two ways to count, one rule:

* :meth:`DailyLimit.check` with a count the caller read from its own rows (the filing
  counts the account's tickets inside the unit of work that adds the next one, so a
  repeated confirmation, which files nothing, costs nothing);
* :meth:`DailyLimit.take` for things with no row to count: a counter per account and day
  in the shared key-value store (one budget across instances).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.errors import DailyLimitReached
from bot.domain.identity import ChatIdentity
from bot.domain.office_hours import WIB
from bot.services.key_value import KeyValueStore
from bot.services.shared import hashed

__all__ = ["COMPLAINT_LIMIT", "DEFAULT_COMPLAINTS_PER_DAY", "DailyLimit"]

DEFAULT_COMPLAINTS_PER_DAY = 10


@dataclass(frozen=True)
class DailyLimit:
    """At most ``per_day`` of ``what`` per chat account and day (WIB)."""

    what: str  # "complaints", "handoffs": named in the error and the store's keys
    per_day: int

    @staticmethod
    def day_start(now: datetime) -> datetime:
        """Midnight in Lampung of ``now``'s day (an aware datetime)."""
        return now.astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)

    def check(self, used: int) -> None:
        """Raise DailyLimitReached when ``used`` (today's count so far) leaves no room."""
        if used >= self.per_day:
            raise DailyLimitReached(what=self.what, limit=self.per_day)

    async def take(self, store: KeyValueStore, identity: ChatIdentity, now: datetime) -> int:
        """Count one more for ``identity`` today; DailyLimitReached beyond the limit.

        Returns today's count including this one. A refused attempt counts too: an account
        hammering past its limit stays refused until midnight.
        """
        start = self.day_start(now)
        day = start.date().isoformat()
        key = f"daily:{self.what}:{day}:" + hashed(identity.channel, identity.account)[:32]
        # The counter outlives the day by an hour, so clock skew between instances is harmless.
        ttl = (start + timedelta(days=1, hours=1) - now).total_seconds()
        used = await store.incr(key, ttl)
        if used > self.per_day:
            raise DailyLimitReached(what=self.what, limit=self.per_day)
        return used


COMPLAINT_LIMIT = DailyLimit("complaints", DEFAULT_COMPLAINTS_PER_DAY)
