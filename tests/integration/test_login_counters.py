"""Failed-login counts in the database (Redis down) on PostgreSQL and SQLite, and the
throttle of two instances falling back to them together."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.db.engine import make_engine
from bot.adapters.db.login_counters import DatabaseCounters
from bot.adapters.kv import RedisStore
from bot.domain.staff import LoginFailed, LoginThrottled, Role
from tests.auxil.staff import PASSWORD, build, unique


@pytest.fixture
def counters(database_url, clock):
    engine = make_engine(database_url)
    yield DatabaseCounters(engine, clock=clock)
    engine.dispose()


async def test_counts_expire_and_start_again(counters, clock):
    key = unique("k")
    assert await counters.get(key) is None and await counters.ttl(key) is None
    assert [await counters.incr(key, 60) for _ in range(3)] == [1, 2, 3]
    assert await counters.get(key) == "3"
    clock.advance(seconds=20)
    assert await counters.ttl(key) == pytest.approx(40)
    clock.advance(seconds=41)
    assert await counters.get(key) is None
    assert await counters.incr(key, 60) == 1  # a new window
    await counters.delete(key)
    assert await counters.get(key) is None


async def test_concurrent_increments_are_all_counted(counters):
    key = unique("k")
    await asyncio.gather(*(counters.incr(key, 60) for _ in range(8)))
    assert await counters.get(key) == "8"


async def test_two_instances_with_redis_down_count_failed_logins_together(database_url, clock):
    # Nothing listens on port 1: every Redis command fails as when Redis is down.
    first, second = (
        build(database_url, clock=clock, store=RedisStore("redis://127.0.0.1:1/0", timeout=0.2))
        for _ in range(2)
    )
    try:
        user = await first.accounts.add(unique("u"), role=Role.OFFICER, password=PASSWORD)
        address = unique("10.7.")
        for accounts in (first.accounts, second.accounts, first.accounts, second.accounts):
            with pytest.raises(LoginFailed):
                await accounts.login(user.username, "salah-salah", client=address)
        with pytest.raises(LoginThrottled):  # the fifth, whichever instance answers it
            await first.accounts.login(user.username, "salah-salah", client=address)
        with pytest.raises(LoginThrottled):
            await second.accounts.login(user.username, PASSWORD, client=address)
        assert (await second.accounts.login(user.username, PASSWORD, client="10.8.0.1")).id
    finally:
        for staff in (first, second):
            staff.engine.dispose()
