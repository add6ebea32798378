"""How outbound calls are retried and paced: one retry policy (tenacity), rate limits (aiolimiter).

The same :class:`RetryPolicy` serves twice. Inside one send it retries short
blips (a few tries, waiting the server's ``retry_after`` when it gave one); a
hint longer than ``max_retry_after`` is not waited in place but raised as
``RetryBudgetExhausted``, and the outbox sender then reschedules the message
with :meth:`RetryPolicy.delay` (the hint, or capped exponential backoff), so an
outage of hours costs a few calls a minute and loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from channels.errors import RetryBudgetExhausted

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Retry:
    """A classifier's verdict: retry, after ``after`` seconds if the server said so.

    ``recipient_only``: the limit is about one resident (WhatsApp's pair rate), so
    other residents' messages need not wait.
    """

    after: float | None = None
    recipient_only: bool = False


Classify = Callable[[BaseException], "Retry | None"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped at ``max_delay``, or the server's hint."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_retry_after: float = 20.0
    sleep: Sleep = asyncio.sleep

    def backoff(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row (1 → base delay)."""
        delay = min(self.max_delay, self.base_delay * (2 ** max(0, failures - 1)))
        return delay * (0.75 + random.random() / 2)  # jitter so instances do not retry in step

    def delay(self, verdict: Retry, failures: int) -> float:
        """How long to wait before the next try: the hint when given, else backoff."""
        if verdict.after is not None:
            return max(0.0, verdict.after)
        return self.backoff(failures)

    async def call(self, operation: str, call: Callable[[], Awaitable[T]], classify: Classify) -> T:
        """Run ``call``; on a retryable error wait (hint or backoff) and try again."""

        def retryable(error: BaseException) -> bool:
            verdict = classify(error)
            if verdict is None:
                return False
            if verdict.after is not None and verdict.after > self.max_retry_after:
                raise RetryBudgetExhausted(
                    operation, verdict.after, self.max_retry_after
                ) from error
            return True

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            verdict = classify(error) if error is not None else None
            return self.delay(verdict or Retry(), state.attempt_number)

        def log_retry(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            logger.warning(
                "%s failed (%s), retry %d/%d in %.2fs",
                operation,
                error,
                state.attempt_number,
                self.attempts - 1,
                state.next_action.sleep if state.next_action else 0.0,
            )

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception(retryable),
            before_sleep=log_retry,
            sleep=self.sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await call()
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


async def call_with_retries(
    operation: str, call: Callable[[], Awaitable[T]], classify: Classify, policy: RetryPolicy
) -> T:
    return await policy.call(operation, call, classify)


class RateLimiter:
    """``rate`` sends per second with bursts of up to ``burst``, per key (aiolimiter buckets).

    Idle keys are forgotten (LRU bound), which is harmless: a forgotten bucket was
    full anyway. Limits hold within one process; across instances the platform's
    429 answers and their ``retry_after`` pace the rest.
    """

    def __init__(self, rate: float, burst: int = 1, *, max_keys: int = 10_000) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._limiters: OrderedDict[str, AsyncLimiter] = OrderedDict()

    def _limiter(self, key: str) -> AsyncLimiter:
        limiter = self._limiters.pop(key, None) or AsyncLimiter(self.burst, self.burst / self.rate)
        self._limiters[key] = limiter
        while len(self._limiters) > self._max_keys:
            self._limiters.popitem(last=False)
        return limiter

    async def acquire(self, key: str = "") -> None:
        await self._limiter(key).acquire()


__all__ = ["RateLimiter", "Retry", "RetryPolicy", "call_with_retries"]
