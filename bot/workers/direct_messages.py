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
from bot.domain.privacy import mask_text
from bot.services.messaging import MessageNotSent

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
            # As the notifier does: a channel switched off here cannot reach anyone.
            log.warning(
                "%s message %s for %s not sent: channel %s is off",
                kind,
                key.split(":")[0],
                recipient.masked(),
                recipient.channel,
            )
            return 0
        output = channel.get_output_channel()
        try:
            for message in messages:
                await output.send_response(recipient.sender_id, dict(message))
        except Exception as error:
            log.error("%s message to %s failed", kind, recipient.masked(), exc_info=True)
            raise MessageNotSent(mask_text(f"{type(error).__name__}: {error}")) from error
        self._sent += 1
        log.info("%s message %s sent to %s", kind, key.split(":")[0], recipient.masked())
        return self._sent

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()
