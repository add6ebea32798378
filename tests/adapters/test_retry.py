"""The retry policy: backoff with jitter, and reading Retry-After."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from bot.adapters.upstream.retry import RetryPolicy, parse_retry_after


def test_backoff_grows_exponentially_with_bounded_jitter():
    policy = RetryPolicy(base_delay=0.25, max_delay=2.0)
    rng = random.Random(7)
    for retry, ceiling in [(0, 0.25), (1, 0.5), (2, 1.0), (3, 2.0), (6, 2.0)]:
        delays = {policy.backoff(retry, rng) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, so clients do not retry in lockstep


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
    assert parse_retry_after("3") == 3.0
    assert (
        parse_retry_after(format_datetime(now + timedelta(seconds=4), usegmt=True), now=now) == 4.0
    )
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
