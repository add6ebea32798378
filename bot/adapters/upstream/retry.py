"""Retrying a call to an outside system: at most a few tries, backoff with jitter.

The loop is tenacity's, configured by one :class:`RetryPolicy`; only failures
worth another try (timeouts, connection errors, 5xx and 429) are retried, and
a Retry-After the resident would not wait for is given up at once.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.domain.errors import UpstreamUnavailable


class RetryableFailure(Exception):
    """Carries a failure worth another try through tenacity's loop."""

    def __init__(self, error: UpstreamUnavailable) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = error.retry_after or 0.0


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.25  # seconds before the first retry (before jitter)
    max_delay: float = 2.0
    # A Retry-After longer than this is not waited for: the resident would give up first.
    max_retry_after: float = 5.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Delay before retry number ``retry`` (0-based): exponential, with "equal jitter"."""
        ceiling = min(self.max_delay, self.base_delay * (2**retry))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)

    def retrying(
        self,
        *,
        sleep: Callable[[float], Awaitable[None]],
        rng: random.Random,
        before_sleep: Callable[[RetryCallState], None],
    ) -> AsyncRetrying:
        """The tenacity loop: retry only what is worth it, waiting at least a Retry-After."""

        def worth_retrying(exc: BaseException) -> bool:
            # A Retry-After longer than a resident waits is given up at once.
            return isinstance(exc, RetryableFailure) and exc.retry_after <= self.max_retry_after

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            retry_after = exc.retry_after if isinstance(exc, RetryableFailure) else 0.0
            return max(self.backoff(state.attempt_number - 1, rng), retry_after)

        return AsyncRetrying(
            retry=retry_if_exception(worth_retrying),
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait,
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
