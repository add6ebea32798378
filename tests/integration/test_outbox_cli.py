"""``python -m bot.cli outbox list|retry``: an operator sees what failed and sends it again."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.message_queue import outbox_on
from bot.domain.identity import ChatIdentity
from bot.services.outbox import Outbox

RESIDENT = ChatIdentity("whatsapp", "6281298765432")


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Outbox:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return outbox_on(make_engine(url))


def run(*argv: str) -> tuple[int, str]:
    # Imported here: bot.cli binds sys.stdout as a default when first imported, and
    # other tests capture it (capsys) after that import.
    from bot import cli

    out = io.StringIO()
    code = cli.main(["outbox", *argv], out=out)
    return code, out.getvalue()


def fail_one(outbox: Outbox, key: str) -> int:
    async def go() -> int:
        row_id = await outbox.enqueue(RESIDENT, [{"text": "Halo"}], kind="staff", key=key)
        (item,) = await outbox.claim(channel="whatsapp", worker="w")
        await outbox.mark_failed(item, worker="w", error="WhatsAppApiError: 131026", parts_sent=0)
        return row_id

    return asyncio.run(go())


def test_list_shows_failed_rows_masked_and_retry_queues_them_again(outbox: Outbox) -> None:
    row_id = fail_one(outbox, "staff:1")

    code, text = run("list", "--json")
    assert code == 0
    [row] = json.loads(text)
    assert row["id"] == row_id and row["status"] == "failed" and row["kind"] == "staff"
    assert "131026" in row["last_error"]
    assert RESIDENT.account not in text  # the number is masked

    code, human = run("list")
    assert code == 0 and str(row_id) in human and RESIDENT.account not in human

    code, said = run("retry", str(row_id))
    assert code == 0 and said.startswith("1 ")
    code, text = run("list", "--status", "pending", "--json")
    assert [r["id"] for r in json.loads(text)] == [row_id]
    assert run("list", "--json")[1].strip() == "[]"


def test_retry_needs_ids_or_all_and_says_when_nothing_matched(outbox: Outbox) -> None:
    assert run("retry")[0] == 2
    assert run("retry", "999")[0] == 1
    fail_one(outbox, "staff:2")
    fail_one(outbox, "staff:3")
    code, said = run("retry", "--all")
    assert code == 0 and said.startswith("2 ")


def test_purge_refuses_to_forget_ids_platforms_may_still_redeliver(outbox: Outbox) -> None:
    assert run("purge", "--days", "1")[0] == 2
    code, said = run("purge")
    assert code == 0 and "0 outbox row(s), 0 inbound message(s) deleted" in said
