"""How outbound calls are retried: one retry policy (tenacity), and limiter refusals.

The same :class:`RetryPolicy` serves twice. Inside one send it retries short
blips (a few tries, waiting the server's ``retry_after`` when it gave one); a
hint longer than ``max_retry_after`` is not waited in place but raised as
``RetryBudgetExhausted``, and the outbox sender then reschedules the message
with :meth:`RetryPolicy.delay` (the hint, or capped exponential backoff), so an
outage of hours costs a few calls a minute and loses nothing.

Sends are paced by the shared limiter of ``bot.adapters.rate_limit`` (GCRA, in
Redis with several instances); a slot further away than its ``max_wait`` is
refused with ``RateLimited``, which the outbox sender turns into a later try.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.adapters.rate_limit import RateLimited
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


def rate_limited(error: BaseException) -> Retry | None:
    """A send the shared limiter refused (``RateLimited``): due again after its wait.

    Not retried in place: the wait is longer than the limiter's ``max_wait``.
    """
    if isinstance(error, RateLimited):
        return Retry(after=error.retry_after, recipient_only=error.recipient_only)
    return None


__all__ = ["Retry", "RetryPolicy", "call_with_retries", "rate_limited"]
