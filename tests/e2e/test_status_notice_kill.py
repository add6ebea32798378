"""A status change from the console reaches the resident on WhatsApp through one
transaction and one queue, even when the console dies right after committing it.

The console (``python -m console``, its own process) commits the change and the
resident's notice together and sends nothing itself: the WhatsApp outbox sender does,
as in Rasa's process. The console is killed with SIGKILL right after its answer, before
any sender ran; after the restart the notice is sent exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT, Settings
from tests.auxil import fake_whatsapp
from tests.auxil.outbox_delivery import deliver_pending
from tests.auxil.tabik_server import free_port, port_is_open, spawn, wait_started
from tests.e2e.conftest import Fakes

pytestmark = pytest.mark.slow

PASSWORD = "kata-sandi-konsol-uji"


class Console:
    """The staff console alone on a SQLite system of record, WhatsApp on the fake Graph API."""

    def __init__(self, workdir: Path, graph_port: int) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WHATSAPP_")},
            **fake_whatsapp.channel_env(graph_port),
            "TABIK_VAR_DIR": str(workdir / "var"),
            "DATABASE_URL": f"sqlite:///{workdir / 'tabik.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'trackers.db'}",
            "CONSOLE_PORT": str(self.port),
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # never called here
        }
        self.env.pop("REDIS_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=self.env,
            timeout=120,
            check=True,
        )
        return done.stdout.strip()

    def start(self) -> None:
        self.process = spawn([sys.executable, "-m", "console"], self.env, self.log)
        wait_started(
            self.process,
            lambda: port_is_open(self.port),
            timeout=120,
            step=0.2,
            what="the console",
            log=lambda: self.log.read_text(errors="replace")[-4000:],
        )

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed or closed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    @property
    def log(self) -> Path:
        return self.workdir / "console.log"

    def api(self, method: str, path: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.workdir / "tabik.db", timeout=30) as db:
            return list(db.execute(sql).fetchall())

    def deliver(self) -> int:
        """One run of the WhatsApp outbox sender (Rasa's process); how many rows it sent."""
        return asyncio.run(deliver_pending(Settings.from_env(self.env)))


@pytest.fixture
def console(tmp_path: Path, fakes: Fakes) -> Iterator[Console]:
    console = Console(tmp_path, fakes.graph_port)
    console.cli("db", "upgrade")
    try:
        yield console
    finally:
        if console.process is not None and console.process.poll() is None:
            console.process.kill()
            console.process.wait(10)


def to(fakes: Fakes, wa_id: str) -> list[dict[str, Any]]:
    return [m for m in list(fakes.graph.sent) if m.get("to") == wa_id]


def test_a_status_change_committed_before_a_kill_9_reaches_the_resident_once(
    console: Console, fakes: Fakes
) -> None:
    wa_id = "6285" + str(uuid.uuid4().int)[:9]
    console.cli("staff", "add", "petugas", "--role=officer", stdin=PASSWORD + "\n")
    token = console.cli("staff", "token", "petugas")
    console.start()
    status, filed = console.api(
        "POST",
        "/api/tickets",
        token,
        {
            "kind": "complaint",
            "resident": {"name": "Pak Darto", "phone": "0" + wa_id[2:], "nik": None},
            "category": "jalan",
            "kabupaten_kota": "Lampung Selatan",
            "description": "Jalan desa berlubang di dekat balai",
        },
    )
    assert status == 201, filed
    number = filed["number"]
    assert console.deliver() == 1  # the filing's notice, out of the way
    sent_before = len(to(fakes, wa_id))

    status, changed = console.api(
        "POST", f"/api/tickets/{number}/status", token, {"status": "diverifikasi"}
    )
    console.kill()  # right after the commit; no sender has run

    assert status == 200, changed
    tables = {name for (name,) in console.rows("select name from sqlite_master")}
    assert "notifications" not in tables  # one queue: the outbox
    queued = console.rows(
        "select kind, status, dedup_key from outbox"
        f" where sender_id = 'wa:{wa_id}' and kind = 'notification'"
    )
    assert queued == [("notification", "pending", f"status:{number}:2")]
    history = console.rows(
        "select to_status from status_changes join tickets on tickets.id = ticket_id"
        f" where number = '{number}' order by status_changes.id"
    )
    assert history == [("diterima",), ("diverifikasi",)]
    assert len(to(fakes, wa_id)) == sent_before  # nothing sent before the restart

    console.start()  # the restart: the console, and the sender
    assert console.deliver() == 1
    assert console.deliver() == 0  # a second sender run finds nothing left

    [notice] = to(fakes, wa_id)[sent_before:]
    # Outside WhatsApp's 24-hour window: the approved template, with the change.
    assert notice["type"] == "template"
    assert notice["template"]["name"] == "tabik_status_update"
    [body] = notice["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == [number, "diverifikasi", "-"]
    assert console.rows(
        f"select status from outbox where sender_id = 'wa:{wa_id}' and kind = 'notification'"
    ) == [("sent",)]
