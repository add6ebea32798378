"""Helpers for notification tests: a settable clock, migrated SQLite copies, a filed ticket."""

from __future__ import annotations

import functools
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.domain.identity import ChatIdentity
from bot.services.key_value import KeyValueStore
from bot.services.tabik import Tabik
from bot.services.views import ComplaintDraft

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # Tuesday 10:00 WIB


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def migrated_template(directory: Path) -> Path:
    """A SQLite file migrated to head, to be copied per test (migrating is the slow bit)."""
    path = directory / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def database_from(template: Path, directory: Path) -> str:
    path = directory / "tabik.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def make_tabik(
    database_url: str, clock: Clock, store: KeyValueStore | None = None
) -> tuple[Tabik, Engine]:
    engine = make_engine(database_url)
    tabik = Tabik(
        functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine)),
        store=store or MemoryStore(prefix="outbox-test:"),
        messenger=outbox_on(engine, clock=clock),
        clock=clock,
    )
    return tabik, engine


async def file_ticket(tabik: Tabik, identity: ChatIdentity) -> str:
    """Files a complaint from ``identity``; its ticket number."""
    receipt = await tabik.file_complaint(
        ComplaintDraft(
            category="jalan",
            description="Jalan berlubang di depan pasar",
            kabupaten_kota="Bandar Lampung",
        ),
        identity=identity,
    )
    return receipt.number
