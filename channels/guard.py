"""What every webhook checks before it believes a request: size, shape, sender's pace.

- ``read_body``: a body over ``MAX_BODY_BYTES`` is refused (413) from its
  Content-Length, before it is read; a chunked body is read only up to the limit.
  The route must be declared with ``stream=True`` so Sanic has not buffered it.
- ``parse_json``: malformed, deeply nested or non-object JSON is a 400, never a
  RecursionError turned into a 500 (which a platform would redeliver forever).
- ``FloodGuard``: per-sender inbound limit, so one sender flooding a webhook
  cannot fill the queue every resident shares. It is a plain counter checked
  synchronously while the webhook answers (nothing queued yet, no await, no
  store round-trip); a library limiter would make that check async.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

from channels.inbound import Inbound

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# Real deliveries nest about 8 levels (WhatsApp entry → changes → value → messages → …).
MAX_JSON_DEPTH = 32
FLOOD_REPLY = "flood"  # the replies.yml ``unsupported`` key answered once per window


class RejectedRequest(Exception):
    """A request refused before anything was processed; ``status`` is what to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, at most ``limit`` bytes; ``RejectedRequest(413)`` beyond that."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise RejectedRequest(400, "bad Content-Length") from None
        if size > limit:
            raise RejectedRequest(413, "body too large")
    stream = request.stream
    if stream is not None and not request.body:
        # Sanic stops reading (PayloadTooLarge) as soon as the limit is passed, and
        # after the handler it drains no more than the limit before closing.
        stream.request_max_size = limit
        try:
            await request.receive_body()
        except PayloadTooLarge:
            raise RejectedRequest(413, "body too large") from None
    body = bytes(request.body or b"")
    if len(body) > limit:
        raise RejectedRequest(413, "body too large")
    return body


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, without recursion (stops counting past ``limit``)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if level > deepest:
            deepest = level
            if deepest > limit:
                return deepest
        if isinstance(item, dict):
            pending.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, level + 1) for child in item)
    return deepest


def parse_json(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """A JSON object from ``body``; ``RejectedRequest(400)`` for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise RejectedRequest(400, "malformed JSON") from None
    if not isinstance(data, dict):
        raise RejectedRequest(400, "not a JSON object")
    if _depth(data, max_depth) > max_depth:
        raise RejectedRequest(400, "JSON nested too deeply")
    return data


class Admission(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit for the first time in this window: tell the sender once
    DROP = "drop"


class FloodGuard:
    """At most ``limit`` messages per sender per ``window`` seconds (fixed windows).

    The first message over the limit gets one polite reply; the rest of the
    window's messages are dropped (logged). Idle senders are forgotten (LRU).
    Each instance counts its own deliveries: a platform spreads a sender over
    instances, so the effective limit grows with them, which is still bounded.
    """

    def __init__(
        self,
        *,
        limit: int = 20,
        window: float = 60.0,
        max_senders: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._max_senders = max_senders
        self._clock = clock
        # sender → (window start, messages seen in it)
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def admit(self, sender_id: str) -> Admission:
        now = self._clock()
        start, seen = self._counts.pop(sender_id, (now, 0))
        if now - start >= self.window:
            start, seen = now, 0
        seen += 1
        self._counts[sender_id] = (start, seen)
        while len(self._counts) > self._max_senders:
            self._counts.popitem(last=False)
        if seen <= self.limit:
            return Admission.ALLOW
        return Admission.WARN if seen == self.limit + 1 else Admission.DROP

    def screen(self, messages: Iterable[Inbound]) -> list[Inbound]:
        """The messages to process: over-limit ones dropped, the first of them a polite reply."""
        kept: list[Inbound] = []
        for inbound in messages:
            verdict = self.admit(inbound.sender_id)
            if verdict is Admission.ALLOW:
                kept.append(inbound)
            elif verdict is Admission.WARN:
                logger.warning("%s is sending too fast; messages dropped", inbound.masked_sender)
                kept.append(replace(inbound, text=None, unsupported=FLOOD_REPLY))
            else:
                logger.info("message from %s dropped (flood)", inbound.masked_sender)
        return kept
