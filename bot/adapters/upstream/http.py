"""The JSON-over-HTTP client of the outside systems, and the base of their adapters.

A resident is waiting in a chat while we call, so every call is bounded:
a per-request timeout, at most ``max_retries`` retries with exponential
backoff and jitter (only for failures worth retrying, :mod:`.retry`), and a
circuit breaker (:mod:`.circuit_breaker`) so a dead upstream is not hammered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import aiohttp
from tenacity import RetryCallState

from bot.adapters.upstream.circuit_breaker import CircuitBreaker
from bot.adapters.upstream.retry import RetryableFailure, RetryPolicy, parse_retry_after
from bot.domain.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)
from bot.domain.privacy import mask_text

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
T = TypeVar("T")

USER_AGENT = "Tabik/0.1 (+Lampung public-service assistant)"


@dataclass(frozen=True)
class _Call:
    """One request as asked, tried once or more."""

    method: str
    path: str
    params: Mapping[str, str] | None
    payload: Any
    accept: Collection[int]  # statuses besides 2xx whose body the caller reads


@dataclass(frozen=True)
class JsonReply:
    status: int
    body: Any


@dataclass
class HttpClientConfig:
    """How to reach one upstream; built from the environment by ``build_providers``."""

    base_url: str
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    failure_threshold: int = 5
    reset_timeout: float = 30.0


class JsonHttpClient:
    """One upstream's HTTP client: lazy session, timeouts, retries, circuit breaker.

    The aiohttp session is created on the first request (never at import or
    construction time, when there may be no running event loop) and closed by
    :meth:`aclose`; a later request would open a new one.
    """

    def __init__(
        self,
        service: str,
        config: HttpClientConfig,
        *,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not config.base_url.startswith(("http://", "https://")):
            raise ValueError(f"{service}: base URL must start with http:// or https://")
        self.service = service
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.breaker = breaker or CircuitBreaker(
            failure_threshold=config.failure_threshold, reset_timeout=config.reset_timeout
        )
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session: aiohttp.ClientSession | None = None

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers())
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        payload: Any = None,
        accept: Collection[int] = (),
    ) -> JsonReply:
        """The parsed JSON of a 2xx reply (or of a status listed in ``accept``)."""
        return await self.request(
            method, path, lambda reply: reply, params=params, payload=payload, accept=accept
        )

    async def request(
        self,
        method: str,
        path: str,
        parse: Callable[[JsonReply], T],
        *,
        params: Mapping[str, str] | None = None,
        payload: Any = None,
        accept: Collection[int] = (),
    ) -> T:
        """Call the upstream and turn its JSON reply into a result with ``parse``.

        ``parse`` raises :class:`UpstreamBadResponse` for a reply outside the
        contract (counted against the upstream by the circuit breaker) or a
        domain answer such as ``PlateNotFound`` (a healthy upstream).

        Raises :class:`UpstreamUnavailable` (timeouts, connection errors, 5xx/429
        after retries, circuit open), :class:`UpstreamRejected` (other 4xx) or
        :class:`UpstreamBadResponse` (invalid JSON, wrong schema).
        """
        self.breaker.before_request(self.service)
        try:
            reply = await self._with_retries(_Call(method, path, params, payload, accept))
            try:
                result = parse(reply)
            except UpstreamError:
                raise
            except Exception:
                self.breaker.record_success()
                raise
        except UpstreamRejected as exc:
            # Our key or request is wrong; that says nothing about the upstream's health.
            self.breaker.release()
            self._log_failure(exc)
            raise
        except UpstreamError as exc:
            self.breaker.record_failure()
            self._log_failure(exc)
            raise
        except BaseException:
            # Cancelled (the resident left) or a domain answer: release a half-open probe.
            self.breaker.release()
            raise
        self.breaker.record_success()
        return result

    def _log_failure(self, exc: UpstreamError) -> None:
        logger.error(
            "%s: gave up after %d attempt(s): %s (circuit %s)",
            self.service,
            exc.attempts,
            mask_text(exc.reason),
            self.breaker.state,
        )

    async def _with_retries(self, call: _Call) -> JsonReply:
        retrying = self.config.retry.retrying(
            sleep=self._sleep, rng=self._rng, before_sleep=self._log_retry
        )
        try:
            async for attempt in retrying:
                with attempt:
                    number = attempt.retry_state.attempt_number
                    return await self._once(call, number)
        except RetryableFailure as retryable:
            raise retryable.error from None
        raise AssertionError("tenacity ended without a result or an error")  # pragma: no cover

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        reason = exc.error.reason if isinstance(exc, RetryableFailure) else repr(exc)
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "%s: %s (attempt %d); retrying in %.2fs",
            self.service,
            mask_text(reason),
            state.attempt_number,
            delay,
        )

    async def _once(self, call: _Call, attempt: int) -> JsonReply:
        url = self.base_url + call.path
        session = self._get_session()
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        try:
            async with session.request(
                call.method, url, params=call.params, json=call.payload, timeout=timeout
            ) as response:
                status = response.status
                if status >= 500 or status == 429:
                    raise RetryableFailure(
                        UpstreamUnavailable(
                            self.service,
                            f"HTTP {status}",
                            status=status,
                            attempts=attempt,
                            retry_after=parse_retry_after(response.headers.get("Retry-After")),
                        )
                    )
                raw = await response.read()
        except asyncio.TimeoutError:
            raise RetryableFailure(
                UpstreamUnavailable(
                    self.service,
                    f"no answer within {self.config.timeout:g}s",
                    attempts=attempt,
                )
            ) from None
        except aiohttp.ClientError as exc:
            raise RetryableFailure(
                UpstreamUnavailable(
                    self.service, f"connection error: {type(exc).__name__}", attempts=attempt
                )
            ) from exc
        if not (200 <= status < 300 or status in call.accept):
            error_class = UpstreamRejected if 400 <= status < 500 else UpstreamBadResponse
            raise error_class(
                self.service, f"unexpected HTTP {status}", status=status, attempts=attempt
            )
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise UpstreamBadResponse(
                self.service, f"HTTP {status} body is not JSON", status=status, attempts=attempt
            ) from None
        return JsonReply(status=status, body=body)


class HttpAdapter:
    """Base of the HTTP providers: one upstream's client and the source credited by default.

    A subclass names its upstream in ``service`` and adds its ``lookup``.
    """

    service: ClassVar[str]

    def __init__(self, config: HttpClientConfig, *, client: JsonHttpClient | None = None) -> None:
        self._client = client or JsonHttpClient(self.service, config)
        # Credited when an answer names no source of its own.
        self._default_source = urlsplit(config.base_url).hostname or self.service

    @property
    def client(self) -> JsonHttpClient:
        return self._client

    async def aclose(self) -> None:
        await self._client.aclose()
