"""The REST channel (terminal chat, tests): Rasa's route and answer, with identities of its own.

Rasa's REST channel takes the sender id, the input channel and the metadata
from the request body, so ``{"sender": "wa:62812…"}`` would be that WhatsApp
resident. Here the sender is always a ``rest:`` identity (``wa:62812…`` becomes
``rest:wa:62812…``), the input channel is always ``rest``, client metadata is
ignored, and the body is size- and shape-checked like the platforms' webhooks.
The launcher lists this channel only while REST is enabled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain.identity import ChatIdentity
from channels.guard import RejectedRequest, parse_json, read_body
from channels.named_input import StandaloneInput

logger = logging.getLogger(__name__)

REST_PREFIX = "rest:"
MAX_SENDER_LENGTH = 128


def rest_sender(given: str) -> str:
    """The ``rest:`` identity for a REST client's sender id (idempotent)."""
    return given if given.startswith(REST_PREFIX) else REST_PREFIX + given


class RestInput(StandaloneInput):
    """``/webhooks/rest/webhook``: ``{"sender", "message"}`` → the bot's replies as a list."""

    channel_name = "rest"

    @staticmethod
    def read_message(data: dict[str, Any]) -> tuple[str, str]:
        """The ``rest:`` sender id and the text; ``RejectedRequest(400)`` when unusable."""
        sender, text = data.get("sender"), data.get("message")
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        if not isinstance(sender, str) or not sender.strip():
            raise RejectedRequest(400, "sender must be a non-empty string")
        if not isinstance(text, str):
            raise RejectedRequest(400, "message must be a string")
        if len(sender) > MAX_SENDER_LENGTH:
            raise RejectedRequest(400, "sender id too long")
        return rest_sender(sender.strip()), text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.health_blueprint()

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender_id, text = self.read_message(parse_json(await read_body(request)))
            except RejectedRequest as rejected:
                return response.json({"error": rejected.reason}, status=rejected.status)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=self.name())
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("REST message from %s timed out", _masked(sender_id))
            except Exception:
                # The text may hold a NIK: only the masked sender goes to the log.
                logger.exception("REST message from %s failed", _masked(sender_id))
            return response.json(collector.messages)

        return webhook


def _masked(sender_id: str) -> str:
    return ChatIdentity.from_sender_id(sender_id).masked()
