"""What the handoff desk answers and raises: the resident's turn, an opened handoff, the
officer's view of one, and the Rasa port that resumes the bot."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.errors import with_message
from bot.domain.staff import Area
from bot.services.shared import NotFound

__all__ = [
    "BotNotResumed",
    "Conversations",
    "HandoffNotFound",
    "HandoffOpened",
    "HandoffTurn",
    "HandoffView",
    "TurnReply",
]


class Conversations(Protocol):
    async def resume(self, sender_id: str) -> None:
        """Let the bot answer this resident again; raises when Rasa did not take it."""


class HandoffNotFound(NotFound):
    """No handoff with this reference for this user (outside the area counts as none)."""

    what = "handoff"


@with_message("handoff {reference} stays open: the bot could not be resumed ({reason})")
class BotNotResumed(Exception):
    """Rasa did not take the resume; the handoff is left open so the resident is not stranded."""

    reference: str
    reason: str


class TurnReply(str, enum.Enum):
    """What the bot says to a resident's message during a handoff."""

    ACKNOWLEDGE = "acknowledge"  # "your message is with the officer" (now and then)
    QUIET = "quiet"  # an officer is replying, or the resident was told recently
    EMERGENCY = "emergency"  # 112 was said; the officer was told too
    LEFT = "left"  # the resident went back to the bot; the handoff is closed
    ENDED = "ended"  # the handoff was already closed: the bot answers again


@dataclass(frozen=True)
class HandoffTurn:
    reply: TurnReply
    reference: str
    within_office_hours: bool
    next_opening: str  # "Senin, 08.00 WIB"


@dataclass(frozen=True)
class HandoffOpened:
    reference: str
    within_office_hours: bool
    next_opening: str  # "Senin, 08.00 WIB"
    office_hours: str  # "Senin–Kamis 08.00–15.00 WIB; Jumat 08.00–11.30 WIB"


@dataclass(frozen=True)
class HandoffView:
    reference: str
    sender: str
    channel: str
    opened_at: datetime
    state: str
    area: Area
    reason: str | None
    transcript: list[dict[str, str]]  # the conversation before the request
    messages: list[dict[str, str]]  # since: {"from": "resident"|"bot"|"staff:…", "text", "at"}
    messages_unavailable: bool  # kept for the page; messages come from the system of record
    closed_by: str | None
    emergency: bool = False  # the resident reported an emergency during the handoff

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "sender": self.sender,
            "opened_at": self.opened_at.isoformat(),
            "state": self.state,
            "messages": self.messages,
            "messages_unavailable": self.messages_unavailable,
            "emergency": self.emergency,
        }
