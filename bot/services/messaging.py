"""Messages to residents from the staff side: the port the services call.

The durable outbox implements it; tests use an in-memory fake. ``messages``
are Rasa bot-message dicts (``{"text": …}``) rendered by the resident's
channel; ``key`` makes a repeated enqueue of the same message harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.domain.errors import TabikError
from bot.domain.identity import ChatIdentity
from bot.domain.office_hours import OfficeSchedule
from bot.services.outbox import BotMessages
from bot.services.shared import Clock, utc_now
from bot.services.unit_of_work import AbstractUnitOfWork, UnitOfWorkFactory

__all__ = [
    "STAFF_KIND",
    "MessageNotSent",
    "Messenger",
    "StaffMessages",
    "StaffSide",
    "whatsapp_identity",
]

STAFF_KIND = "staff"
MESSAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "staff_messages.yml"


class MessageNotSent(TabikError):
    """A messenger could not take the message (sending at once failed); ``reason`` is masked."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"message not sent: {reason}")
        self.reason = reason


class Messenger(Protocol):
    async def enqueue(
        self, recipient: ChatIdentity, messages: BotMessages, *, kind: str, key: str
    ) -> int: ...

    def enqueue_within(
        self,
        uow: AbstractUnitOfWork,
        recipient: ChatIdentity,
        messages: BotMessages,
        *,
        kind: str,
        key: str,
    ) -> None:
        """The same inside the caller's unit of work: queued only if it commits."""


class StaffMessages:
    """The texts residents get from the console side (``bot/data/staff_messages.yml``)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    @classmethod
    def load(cls, path: Path = MESSAGES_FILE) -> StaffMessages:
        with path.open(encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def render(self, message: str, **values: Any) -> str:
        return str(self.data[message]).format(**values)

    def kind_label(self, kind: str) -> str:
        return str(self.data["kind_labels"][kind])


@dataclass(eq=False)
class StaffSide:
    """What the staff desks work with: units of work, the office schedule, the texts
    residents get from the staff side, and the clock."""

    uow_factory: UnitOfWorkFactory
    _: KW_ONLY
    schedule: OfficeSchedule
    messages: StaffMessages = field(default_factory=StaffMessages.load)
    clock: Clock = utc_now


def whatsapp_identity(phone: str) -> ChatIdentity:
    """The WhatsApp account of a phone number typed as ``0812…``, ``62812…`` or ``+62 812…``."""
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return ChatIdentity(channel="whatsapp", account=digits)
