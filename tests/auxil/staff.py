"""Helpers for staff console tests: in-memory messenger and conversations, services on a
database, accounts and tickets in known places."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.staff_repository import StaffUnitOfWork
from bot.adapters.knowledge import load_knowledge
from bot.adapters.kv import MemoryStore
from bot.adapters.sla_rules import load_sla_rules, office_hours_text, office_schedule
from bot.bootstrap import StaffServices
from bot.domain.identity import ChatIdentity
from bot.services.audit import StaffAudit
from bot.services.handoff_desk import HandoffDesk
from bot.services.staff import StaffAccounts
from bot.services.staff_desk import StaffDesk
from bot.services.tabik import Tabik
from bot.services.views import ComplaintDraft

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # Tuesday 10:00 WIB
PASSWORD = "kata-sandi-rahasia"
# Cheap hashing keeps tests fast; the argon2 format and checks are the same.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakeMessenger:
    """The messaging port in memory: what residents would receive, in order."""

    sent: list[tuple[ChatIdentity, list[dict[str, Any]], str, str]] = field(default_factory=list)

    async def enqueue(
        self,
        recipient: ChatIdentity,
        messages: Sequence[Mapping[str, Any]],
        *,
        kind: str,
        key: str,
    ) -> int:
        self.sent.append((recipient, [dict(m) for m in messages], kind, key))
        return len(self.sent)

    def texts_to(self, account: str) -> list[str]:
        return [
            str(m.get("text"))
            for who, messages, _, _ in self.sent
            if who.account == account
            for m in messages
        ]


@dataclass
class FakeConversations:
    """Rasa's conversations in memory: messages per sender id, and which were resumed."""

    messages_by_sender: dict[str, list[tuple[str, str, datetime]]] = field(default_factory=dict)
    resumed: list[str] = field(default_factory=list)
    fail: bool = False

    def say(self, sender_id: str, text: str, at: datetime) -> None:
        self.messages_by_sender.setdefault(sender_id, []).append(("user", text, at))

    async def messages(self, sender_id: str, *, since: datetime) -> list[Any]:
        if self.fail:
            raise ConnectionError("Rasa is down")
        return [m for m in self.messages_by_sender.get(sender_id, []) if m[2] >= since]

    async def resume(self, sender_id: str) -> None:
        self.resumed.append(sender_id)


def build(
    database_url: str,
    *,
    clock: Clock,
    messenger: FakeMessenger | None = None,
    conversations: FakeConversations | None = None,
) -> StaffServices:
    engine: Engine = make_engine(database_url)
    uow_factory = functools.partial(StaffUnitOfWork, make_session_factory(engine))
    knowledge = load_knowledge()
    store = MemoryStore()
    tabik = Tabik(uow_factory, store=store, knowledge=knowledge, clock=clock)
    schedule = office_schedule(knowledge)
    return StaffServices(
        tabik=tabik,
        accounts=StaffAccounts(uow_factory, clock=clock, hasher=FAST_HASHER, store=store),
        desk=StaffDesk(
            uow_factory,
            tabik,
            messenger or FakeMessenger(),
            schedule=schedule,
            sla_rules=load_sla_rules(),
            knowledge=knowledge,
            clock=clock,
        ),
        handoffs=HandoffDesk(
            uow_factory,
            tabik,
            schedule=schedule,
            office_hours=office_hours_text(knowledge),
            messenger=messenger,
            conversations=conversations,
            clock=clock,
        ),
        audit=StaffAudit(uow_factory),
        engine=engine,
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
