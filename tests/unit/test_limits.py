"""DailyLimit: a day is a day in Lampung, counted per chat account."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.adapters.kv import MemoryStore
from bot.domain.errors import DailyLimitReached
from bot.domain.identity import ChatIdentity
from bot.services.limits import DailyLimit

ONE = ChatIdentity(channel="whatsapp", account="6281234567890")
OTHER = ChatIdentity(channel="telegram", account="555123")


def test_the_day_starts_at_midnight_in_lampung() -> None:
    late = datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)  # 23:30 WIB
    assert DailyLimit.day_start(late) == datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
    early = datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)  # 00:30 WIB the next day
    assert DailyLimit.day_start(early) == datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)


def test_check_refuses_once_the_count_reaches_the_limit() -> None:
    limit = DailyLimit("handoffs", 5)
    limit.check(4)
    with pytest.raises(DailyLimitReached) as refused:
        limit.check(5)
    assert (refused.value.what, refused.value.limit) == ("handoffs", 5)
    assert "5 handoffs" in str(refused.value)


async def test_take_counts_per_account_and_day_in_the_store() -> None:
    store = MemoryStore(prefix="limits:")
    limit = DailyLimit("handoffs", 2)
    now = datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)
    assert await limit.take(store, ONE, now) == 1
    assert await limit.take(store, ONE, now) == 2
    with pytest.raises(DailyLimitReached):
        await limit.take(store, ONE, now)
    assert await limit.take(store, OTHER, now) == 1
    tomorrow = datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)
    assert await limit.take(store, ONE, tomorrow) == 1
