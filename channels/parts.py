"""What a webhook channel is built with besides its settings (``WebhookParts``).

:func:`bot.bootstrap.for_channels` makes them from the settings; tests give their own.
"""

from __future__ import annotations

from typing import TypedDict

from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import RateLimiter
from bot.services.key_value import KeyValueStore
from channels.queues import ChannelQueues
from channels.retry import RetryPolicy
from channels.text import Replies


class _Required(TypedDict):
    store: KeyValueStore  # button payloads
    queues: ChannelQueues  # stored messages and the outbox
    limiter: RateLimiter  # the platform's pace, shared by instances when Redis'
    media: PlatformMedia  # photos' downloader


class WebhookParts(_Required, total=False):
    """A webhook channel's parts, by keyword."""

    replies: Replies | None  # replies.yml's when not given
    retry: RetryPolicy | None  # sending's retries
