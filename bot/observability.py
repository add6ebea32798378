"""Prometheus metrics for every Tabik process, and the functions the layers call to record them.

One module holds every metric so names and labels stay consistent; callers use
the small functions below, never the metric objects, so a metric can change
shape without touching them. Labels are low-cardinality by design: a channel,
an outcome, an intent, never a sender or a ticket.

Each process exposes its own ``/metrics`` (see ``channels/ops.py``); Prometheus
scrapes every instance and sums across them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# Turns take from tens of milliseconds (a menu) to tens of seconds (a slow upstream).
_TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)
_WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0)
_CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)

MESSAGES_RECEIVED = Counter(
    "tabik_messages_received_total",
    "Messages from residents accepted by a webhook",
    ["channel"],
)
MESSAGES_SENT = Counter(
    "tabik_messages_sent_total",
    "Messages sent to residents, by outcome (sent, failed)",
    ["channel", "outcome"],
)
TURN_SECONDS = Histogram(
    "tabik_turn_seconds",
    "A resident message's turn (Rasa, actions) until its replies are queued",
    ["channel"],
    buckets=_TURN_BUCKETS,
)
QUEUE_DEPTH = Gauge(
    "tabik_queue_depth",
    "Messages waiting in a queue (inbound, outbox)",
    ["queue"],
)
RETRIES = Counter(
    "tabik_retries_total",
    "Retried outbound calls, by what failed",
    ["target", "reason"],
)
OUTBOX_AGE = Gauge(
    "tabik_outbox_oldest_age_seconds",
    "Age of the oldest message not yet sent from the outbox",
)
NLU_CONFIDENCE = Histogram(
    "tabik_nlu_confidence",
    "Intent confidence of parsed resident messages",
    ["intent"],
    buckets=_CONFIDENCE_BUCKETS,
)
LOCK_WAIT = Histogram(
    "tabik_lock_wait_seconds",
    "Time a turn waited for its conversation lock",
    buckets=_WAIT_BUCKETS,
)
LOCKS_LOST = Counter(
    "tabik_locks_lost_total",
    "Conversation locks that expired or passed on while their turn still ran",
)
RATE_LIMIT_WAIT = Histogram(
    "tabik_rate_limit_wait_seconds",
    "Time a send waited for the platform's rate limit",
    ["limit"],
    buckets=_WAIT_BUCKETS,
)


def record_received(channel: str, *, count: int = 1) -> None:
    if count:
        MESSAGES_RECEIVED.labels(channel=channel).inc(count)


def record_sent(channel: str, *, ok: bool = True, count: int = 1) -> None:
    if count <= 0:
        return
    MESSAGES_SENT.labels(channel=channel, outcome="sent" if ok else "failed").inc(count)


def observe_turn(channel: str, seconds: float) -> None:
    TURN_SECONDS.labels(channel=channel).observe(seconds)


@contextmanager
def timed_turn(channel: str) -> Iterator[None]:
    """Records the body's duration as one turn, also when it fails."""
    started = time.perf_counter()
    try:
        yield
    finally:
        observe_turn(channel, time.perf_counter() - started)


def set_queue_depth(queue: str, depth: int) -> None:
    QUEUE_DEPTH.labels(queue=queue).set(depth)


def record_retry(target: str, reason: str) -> None:
    """``target`` e.g. ``whatsapp``, ``telegram``, ``upstream:tax``; ``reason`` a short code."""
    RETRIES.labels(target=target, reason=reason).inc()


def set_outbox_age(seconds: float) -> None:
    OUTBOX_AGE.set(max(0.0, seconds))


def observe_nlu(intent: str | None, confidence: float | None) -> None:
    if confidence is None:
        return
    NLU_CONFIDENCE.labels(intent=intent or "none").observe(confidence)


def observe_lock_wait(seconds: float) -> None:
    LOCK_WAIT.observe(seconds)


def record_lock_lost() -> None:
    LOCKS_LOST.inc()


def observe_rate_limit_wait(limit: str, seconds: float) -> None:
    RATE_LIMIT_WAIT.labels(limit=limit).observe(seconds)


def render(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """The text exposition format and its content type, for a ``/metrics`` handler."""
    return generate_latest(registry), CONTENT_TYPE_LATEST
