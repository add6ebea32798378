"""Status notices on the real databases (PostgreSQL and SQLite): queued in the outbox
with the change, one row per change, and nothing when the change is refused."""

import uuid

import pytest
from sqlalchemy.engine import Engine

from bot.adapters.db.message_queue import outbox_on
from bot.domain.errors import InvalidTransition
from bot.domain.identity import ChatIdentity
from bot.services.tabik import Tabik
from tests.auxil.outbox import file_ticket


async def test_each_change_is_one_outbox_row_for_the_filing_chat(
    tabik: Tabik, engine: Engine
) -> None:
    resident = ChatIdentity(channel="telegram", account=uuid.uuid4().hex[:12])
    number = await file_ticket(tabik, resident)
    await tabik.change_status(number, to="diverifikasi", actor="officer:1")
    await tabik.change_status(number, to="diteruskan", actor="officer:1")
    with pytest.raises(InvalidTransition):
        await tabik.change_status(number, to="diterima", actor="officer:1")

    # The PostgreSQL schema is shared by the session's tests: only this resident counts.
    rows = [i for i in await outbox_on(engine).list(limit=1000) if i.recipient == resident]

    assert [(i.kind, i.status, i.dedup_key) for i in reversed(rows)] == [
        ("notification", "pending", f"status:{number}:2"),
        ("notification", "pending", f"status:{number}:3"),
    ]
    assert [i.messages[0]["custom"]["template_params"][1] for i in reversed(rows)] == [
        "diverifikasi",
        "diteruskan",
    ]
