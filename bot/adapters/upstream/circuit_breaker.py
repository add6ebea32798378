"""A circuit breaker per outside system: a dead upstream answers "unavailable" at once.

Our own (about 60 lines): the libraries that offer one (pybreaker, aiobreaker)
either block or keep state in ways that do not fit one breaker per upstream
with an injectable clock, and a half-open probe that a cancelled request must
release; see docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain.errors import CircuitOpen


class CircuitBreaker:
    """Closed → (N consecutive failures) → open → (cool-down) → half-open → one probe.

    The probe's success closes the circuit; its failure opens it for another
    cool-down. Time comes from ``clock`` so tests need not sleep.
    """

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_in_flight = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return self.CLOSED
        if self._clock() - self._opened_at >= self.reset_timeout:
            return self.HALF_OPEN
        return self.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def before_request(self, service: str) -> None:
        """Raise :class:`CircuitOpen` unless a request may go out now."""
        state = self.state
        if state == self.CLOSED:
            return
        if state == self.HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return
        assert self._opened_at is not None
        remaining = max(0.0, self._opened_at + self.reset_timeout - self._clock())
        raise CircuitOpen(service, retry_after=remaining)

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probe_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        self._probe_in_flight = False
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()

    def release(self) -> None:
        """The request ended without telling us anything about the upstream's health."""
        self._probe_in_flight = False
