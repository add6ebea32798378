"""The retention worker: a pass every interval, a failed pass logged and tried again."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.config import Settings
from bot.services.privacy import RetentionPeriods
from bot.workers import retention


class FlakyPersonalData:
    def __init__(self, stop: asyncio.Event, passes: int) -> None:
        self.stop, self.passes, self.calls = stop, passes, 0

    async def retention(self, *, dry_run: bool = False) -> dict[str, int]:
        self.calls += 1
        if self.calls >= self.passes:
            self.stop.set()
        if self.calls == 1:
            raise ConnectionError("database down")
        return {"received_messages": 3}


async def test_a_failed_pass_is_logged_and_the_next_one_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    personal = FlakyPersonalData(stop, passes=2)
    with caplog.at_level(logging.INFO, logger="bot.workers.retention"):
        passes = await retention.run(personal, stop, interval=0.01)  # type: ignore[arg-type]
    assert passes == 2 and personal.calls == 2
    assert "retention pass failed" in caplog.text
    assert "'received_messages': 3" in caplog.text


def test_the_periods_come_from_the_settings() -> None:
    defaults = RetentionPeriods.from_settings(Settings.from_env({}))
    assert (defaults.inbound.days, defaults.conversations.days, defaults.tickets.days) == (
        7, 180, 730,
    )  # fmt: skip
    given = RetentionPeriods.from_settings(
        Settings.from_env({"RETENTION_TICKETS_DAYS": "365", "RETENTION_HANDOFFS_DAYS": "30"})
    )
    assert (given.tickets.days, given.handoffs.days) == (365, 30)


def test_raw_messages_are_kept_at_least_a_week() -> None:
    # Platforms redeliver for a week: a shorter period would answer a message twice.
    with pytest.raises(ValueError, match="retention_inbound_days"):
        Settings.from_env({"RETENTION_INBOUND_DAYS": "3"})
