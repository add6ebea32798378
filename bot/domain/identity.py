"""Chat identities: which account on which channel a message came from.

Rasa's sender id is channel-qualified (``wa:62812…``, ``tg:555…``) so that a
WhatsApp number and a Telegram chat id can never be mistaken for each other.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNEL_PREFIXES = {"wa": "whatsapp", "tg": "telegram", "rest": "rest", "cli": "cli"}
PREFIX_OF_CHANNEL = {channel: prefix for prefix, channel in CHANNEL_PREFIXES.items()}


@dataclass(frozen=True)
class ChatIdentity:
    channel: str  # "whatsapp", "telegram", "rest", "cli"
    account: str  # the platform's id for the chat (wa_id, chat id, REST sender)

    @classmethod
    def from_sender_id(cls, sender_id: str) -> ChatIdentity:
        prefix, sep, rest = (sender_id or "").partition(":")
        if sep and rest and prefix in CHANNEL_PREFIXES:
            return cls(channel=CHANNEL_PREFIXES[prefix], account=rest)
        return cls(channel="rest", account=sender_id or "")

    @property
    def sender_id(self) -> str:
        return f"{PREFIX_OF_CHANNEL.get(self.channel, self.channel)}:{self.account}"

    def masked(self) -> str:
        """For logs: the channel and the last three characters only."""
        tail = self.account[-3:] if len(self.account) > 3 else ""
        return f"{PREFIX_OF_CHANNEL.get(self.channel, self.channel)}:***{tail}"
