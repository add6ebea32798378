"""Helpers for staff console tests: in-memory messenger and conversations, services on a
database, accounts and tickets in known places."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import event

from bot.adapters.db.engine import make_engine
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.bootstrap import StaffServices, assemble_staff_services
from bot.domain.identity import ChatIdentity
from bot.services.handoff_desk import HandoffDesk, HandoffTurn
from bot.services.key_value import KeyValueStore
from bot.services.outbox import BotMessages
from bot.services.tabik import Tabik
from bot.services.unit_of_work import AbstractUnitOfWork
from bot.services.views import ComplaintDraft
from tests.auxil.outbox import Clock

PASSWORD = "kata-sandi-rahasia"
# Cheap hashing keeps tests fast; the argon2 format and checks are the same.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def unique(prefix: str) -> str:
    """A name, account or place no other test uses on the shared database."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@dataclass
class FakeMessenger:
    """The messaging port in memory: what residents would receive, in order."""

    sent: list[tuple[ChatIdentity, list[dict[str, Any]], str, str]] = field(default_factory=list)

    async def enqueue(
        self, recipient: ChatIdentity, messages: BotMessages, *, kind: str, key: str
    ) -> int:
        self.sent.append((recipient, [dict(m) for m in messages], kind, key))
        return len(self.sent)

    def enqueue_within(
        self,
        uow: AbstractUnitOfWork,
        recipient: ChatIdentity,
        messages: BotMessages,
        *,
        kind: str,
        key: str,
    ) -> None:
        # Recorded when the unit of work commits, as the outbox row would be.
        assert isinstance(uow, SqlAlchemyUnitOfWork)
        sent = (recipient, [dict(m) for m in messages], kind, key)
        event.listen(uow.session, "after_commit", lambda _: self.sent.append(sent), once=True)

    def texts_to(self, account: str) -> list[str]:
        return [
            str(m.get("text"))
            for who, messages, _, _ in self.sent
            if who.account == account
            for m in messages
        ]


@dataclass
class FakeConversations:
    """Rasa's conversation API in memory: which residents were resumed; ``fail`` makes it down."""

    resumed: list[str] = field(default_factory=list)
    fail: bool = False

    async def resume(self, sender_id: str) -> None:
        if self.fail:
            raise ConnectionError("Rasa is down")
        self.resumed.append(sender_id)


async def resident_says(
    desk: HandoffDesk,
    identity: ChatIdentity,
    reference: str,
    text: str,
    *,
    emergency: bool = False,
    bot_lines: tuple[str, ...] = (),
    leaving: bool = False,
    acknowledged_at: datetime | None = None,
) -> HandoffTurn:
    """A resident's message to an open handoff, as action_handoff_message passes it on."""
    return await desk.resident_message(
        identity=identity,
        reference=reference,
        text=text,
        bot_lines=list(bot_lines),
        emergency=emergency,
        leaving=leaving,
        acknowledged_at=acknowledged_at,
    )


def build(
    database_url: str,
    *,
    clock: Clock,
    messenger: FakeMessenger | None = None,
    conversations: FakeConversations | None = None,
    store: KeyValueStore | None = None,
) -> StaffServices:
    return assemble_staff_services(
        make_engine(database_url),
        messenger=messenger or FakeMessenger(),
        conversations=conversations,
        store=store or MemoryStore(),
        clock=clock,
        hasher=FAST_HASHER,
    )


async def complaint(
    tabik: Tabik,
    *,
    account: str,
    desa: str,
    kecamatan: str = "Natar",
    kabupaten_kota: str = "Lampung Selatan",
    category: str = "jalan",
) -> str:
    receipt = await tabik.file_complaint(
        ComplaintDraft(
            category=category,
            description=f"Jalan rusak di {desa}",
            kabupaten_kota=kabupaten_kota,
            kecamatan=kecamatan,
            desa=desa,
            reporter_name="Siti Aminah",
        ),
        identity=ChatIdentity(channel="whatsapp", account=account),
    )
    return receipt.number
