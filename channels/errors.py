"""Errors the channels raise on purpose; each carries the data a caller or operator needs."""

from __future__ import annotations

from dataclasses import KW_ONLY

from bot.domain.errors import with_message


class ChannelError(Exception):
    """Base of every error raised by Tabik's channels."""


@with_message("recipient is not a {channel} sender id")
class RecipientNotOnChannel(ChannelError):
    """A reply was addressed to a sender id of another channel (e.g. ``tg:…`` on WhatsApp)."""

    channel: str
    recipient_id: str


@with_message("{operation}: platform asked to retry after {retry_after:.1f}s (limit {limit:.1f}s)")
class RetryBudgetExhausted(ChannelError):
    """A platform asked to wait longer than Tabik is willing to hold a conversation."""

    operation: str
    retry_after: float
    limit: float


@with_message("Graph API error {code} (HTTP {status}): {message}")
class WhatsAppApiError(ChannelError):
    """An error answer of the Graph API (``{"error": {...}}``) or a non-JSON failure.

    ``code``/``subcode`` are Meta's error codes (e.g. 130429 throughput, 131056 pair
    rate, 131047 outside the 24-hour window); ``retry_after`` is the server's hint
    in seconds when it gave one.
    """

    status: int
    code: int | None
    message: str
    _: KW_ONLY
    subcode: int | None = None
    retry_after: float | None = None
    fbtrace_id: str | None = None
