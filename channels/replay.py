"""The replies a stored conversation already holds for a message (a turn Rasa finished
before the process died, whose replies were never queued)."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered

from channels.inbound import BOT_MESSAGE_KEYS, Inbound


async def replies_already_given(
    tracker_store: Any, inbound: Inbound
) -> list[dict[str, Any]] | None:
    """The bot's messages after this message in the stored conversation, or None when
    Rasa never finished a turn for it (or there is no conversation store)."""
    if tracker_store is None or not inbound.message_id:
        return None
    tracker = await tracker_store.retrieve(inbound.sender_id)
    if tracker is None:
        return None
    replies: list[dict[str, Any]] = []
    found = False
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == inbound.message_id
        elif found and isinstance(event, BotUttered):
            message = {"text": event.text, **(event.data or {})}
            replies.append(
                {k: message[k] for k in BOT_MESSAGE_KEYS if message.get(k) not in (None, "", [])}
            )
    return replies if found else None
