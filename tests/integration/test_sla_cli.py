"""``python -m bot.cli sla escalate`` and the escalation worker started by ``make serve``."""

from __future__ import annotations

import asyncio
import functools
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.config import Settings
from bot.domain.identity import ChatIdentity
from bot.services.shared import utc_now
from bot.services.tabik import Tabik
from bot.services.views import ComplaintDraft


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'sla.db'}"
    migrate.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def overdue_ticket(url: str, agency: str) -> str:
    engine = make_engine(url)
    uow_factory = functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine))
    tabik = Tabik(uow_factory, store=MemoryStore(), messenger=outbox_on(engine))
    receipt = asyncio.run(
        tabik.file_complaint(
            ComplaintDraft(
                category="sampah",
                description="Sampah menumpuk",
                kabupaten_kota="Bandar Lampung",
                reporter_name="Siti",
            ),
            identity=ChatIdentity("whatsapp", "6281234500001"),
        )
    )
    with uow_factory() as uow:
        ticket = uow.tickets.get(receipt.number)
        ticket.agency_code = agency
        ticket.received_at = utc_now() - timedelta(days=14)
        uow.commit()
    engine.dispose()
    return receipt.number


def run(*argv: str) -> tuple[int, str]:
    from bot import cli

    out = io.StringIO()
    code = cli.main(["sla", *argv], out=out)
    return code, out.getvalue()


def test_escalate_prints_each_escalation_and_the_total_once(database: str) -> None:
    number = overdue_ticket(database, "DLH-1871")

    dry = run("escalate", "--dry-run")
    done = run("escalate")
    again = run("escalate")

    line = f"{number}  DLH-1871 → DLH-18\n"
    assert dry == (0, line + "1 tiket akan dieskalasi / would be escalated.\n")
    assert done == (0, line + "1 tiket dieskalasi / escalated.\n")
    assert again == (0, "0 tiket dieskalasi / escalated.\n")


def test_the_interval_is_a_setting() -> None:
    assert Settings.from_env({}).sla_escalate_minutes == 15
    assert Settings.from_env({"SLA_ESCALATE_MINUTES": "5"}).sla_escalate_minutes == 5
    with pytest.raises(ValueError, match="sla_escalate_minutes"):
        Settings.from_env({"SLA_ESCALATE_MINUTES": "0"})


def test_the_worker_escalates_and_stops_cleanly_on_sigterm(database: str, tmp_path: Path) -> None:
    number = overdue_ticket(database, "DESA-1801072001")
    env = {**os.environ, "DATABASE_URL": database, "TABIK_VAR_DIR": str(tmp_path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.workers.escalation", "--minutes", "60"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        engine = make_engine(database)
        escalated = None
        while time.monotonic() < deadline and escalated is None:
            with engine.connect() as connection:
                escalated = connection.exec_driver_sql(
                    "SELECT escalated_to FROM tickets WHERE number = ?", (number,)
                ).scalar_one()
            time.sleep(0.2)
        engine.dispose()
        assert escalated == "KEC-180107"
        worker.send_signal(signal.SIGTERM)
        _, log = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    assert "escalation worker stopped" in log
