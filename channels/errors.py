"""Errors the channels raise on purpose; each carries the data a caller or operator needs."""

from __future__ import annotations


class ChannelError(Exception):
    """Base of every error raised by Tabik's channels."""


class RecipientNotOnChannel(ChannelError):
    """A reply was addressed to a sender id of another channel (e.g. ``tg:…`` on WhatsApp)."""

    def __init__(self, channel: str, recipient_id: str) -> None:
        super().__init__(f"recipient is not a {channel} sender id")
        self.channel = channel
        self.recipient_id = recipient_id


class RetryBudgetExhausted(ChannelError):
    """A platform asked to wait longer than Tabik is willing to hold a conversation."""

    def __init__(self, operation: str, retry_after: float, limit: float) -> None:
        super().__init__(
            f"{operation}: platform asked to retry after {retry_after:.1f}s (limit {limit:.1f}s)"
        )
        self.operation = operation
        self.retry_after = retry_after
        self.limit = limit


class WhatsAppApiError(ChannelError):
    """An error answer of the Graph API (``{"error": {...}}``) or a non-JSON failure.

    ``code``/``subcode`` are Meta's error codes (e.g. 130429 throughput, 131056 pair
    rate, 131047 outside the 24-hour window); ``retry_after`` is the server's hint
    in seconds when it gave one.
    """

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        *,
        subcode: int | None = None,
        retry_after: float | None = None,
        fbtrace_id: str | None = None,
    ) -> None:
        super().__init__(f"Graph API error {code} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.subcode = subcode
        self.message = message
        self.retry_after = retry_after
        self.fbtrace_id = fbtrace_id
