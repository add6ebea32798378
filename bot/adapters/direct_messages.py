"""A stand-in for the durable outbox: sends staff messages to residents at once.

It implements :class:`bot.services.messaging.Messenger` by rendering each message
through the resident's channel output (WhatsApp Graph API client or Telegram Bot
API, built as the notifier builds them). Nothing is retried or kept: a failure is
raised to the caller. The outbox replaces it in ``bot.bootstrap``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.config import Settings
from bot.domain.identity import ChatIdentity
from channels.errors import RecipientNotOnChannel

log = logging.getLogger(__name__)


class DirectSender:
    def __init__(self, settings: Settings) -> None:
        from bot.workers.notifier import build_channels

        self.channels = build_channels(settings)
        self._sent = 0

    async def enqueue(
        self,
        recipient: ChatIdentity,
        messages: Sequence[Mapping[str, Any]],
        *,
        kind: str,
        key: str,
    ) -> int:
        channel = self.channels.get(recipient.channel)
        if channel is None:
            raise RecipientNotOnChannel(recipient.channel, recipient.sender_id)
        output = channel.get_output_channel()
        for message in messages:
            await output.send_response(recipient.sender_id, dict(message))
        self._sent += 1
        log.info("%s message %s sent to %s", kind, key.split(":")[0], recipient.masked())
        return self._sent

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()
