"""Stopping and starting ``make serve``: nothing left listening, nothing lost (runs last)."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from tests.auxil.tabik_server import TabikServer, port_is_open, texts
from tests.e2e.test_rest_conversations import COMPLAINT_ANSWERS, fill

pytestmark = pytest.mark.slow


def test_sigterm_stops_everything_and_tickets_survive_a_restart(tabik: TabikServer) -> None:
    fill(tabik, "e2e-restart", "mau lapor jalan rusak", COMPLAINT_ANSWERS)
    with sqlite3.connect(tabik.workdir / "tabik.db") as db:
        tickets = dict(db.execute("select number, status from tickets").fetchall())
    assert tickets, "no ticket was filed"

    # make forwards SIGTERM to the launcher, waits for it, then ends by the
    # same signal (GNU make's way); the launcher itself stops every child.
    assert tabik.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert "All Tabik processes stopped." in tabik.tail_log(20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        port_is_open(tabik.rasa_port) or port_is_open(tabik.actions_port)
    ):
        time.sleep(0.2)
    assert not port_is_open(tabik.rasa_port), "Rasa still listening after SIGTERM"
    assert not port_is_open(tabik.actions_port), "action server still listening after SIGTERM"

    tabik.start()
    for number, status in tickets.items():
        reply = texts(tabik.say("e2e-after-restart", f"cek {number}"))
        assert number in reply and status in reply, reply
    assert tabik.tracker("e2e-restart")["events"], "conversation lost across the restart"
