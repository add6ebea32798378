"""Stopping and starting ``make serve``: nothing left listening, nothing lost (runs last)."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from tests.auxil.tabik_server import TabikServer, port_is_open, texts

pytestmark = pytest.mark.slow


def test_sigterm_stops_everything_and_tickets_survive_a_restart(tabik: TabikServer) -> None:
    tabik.say("e2e-restart", "halo")
    with sqlite3.connect(tabik.workdir / "tabik.db") as db:
        numbers = [row[0] for row in db.execute("select number from tickets")]
    assert numbers, "the conversation tests filed no ticket"

    assert tabik.stop(signal.SIGTERM) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        port_is_open(tabik.rasa_port) or port_is_open(tabik.actions_port)
    ):
        time.sleep(0.2)
    assert not port_is_open(tabik.rasa_port), "Rasa still listening after SIGTERM"
    assert not port_is_open(tabik.actions_port), "action server still listening after SIGTERM"

    tabik.start()
    for number in numbers:
        assert "diterima" in texts(tabik.say("e2e-after-restart", f"cek {number}"))
    assert tabik.tracker("e2e-restart")["events"], "conversation lost across the restart"
