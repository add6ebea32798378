"""A handoff is never silent, through ``make serve`` and the REST channel (issue 15)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid

import pytest

from tests.auxil.tabik_server import TabikServer, conversation, texts

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"CS-\d{6}-\w{4}")


def sender() -> str:
    return f"e2e-handoff-{uuid.uuid4().hex[:8]}"


def acknowledged_long_ago(tabik: TabikServer, who: str) -> None:
    """As if the resident was last told 'your message is with the officer' an hour ago."""
    events = [{"event": "slot", "name": "handoff_acknowledged_at", "value": time.time() - 3600}]
    status, body, _ = tabik.request(
        "POST",
        f"/conversations/{conversation(who)}/tracker/events",
        json.dumps(events).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200, body


def handoff_rows(tabik: TabikServer, reference: str) -> list[tuple[str, str, int]]:
    with sqlite3.connect(tabik.workdir / "tabik.db") as db:
        return [
            (str(author), str(text), int(emergency))
            for author, text, emergency in db.execute(
                "select m.author, m.text, m.emergency from handoff_messages m"
                " join handoff_requests r on r.id = m.handoff_id"
                " where r.reference = ? order by m.id",
                (reference,),
            )
        ]


def test_a_handoff_is_never_silent(tabik: TabikServer) -> None:
    who = sender()
    opened = texts(tabik.say(who, "sy mau bicara dengan petugas"))
    found = REFERENCE.search(opened)
    assert found, opened
    reference = found.group(0)

    # A fire during the open handoff: 112 in the very first reply, and the officer sees it.
    fire = tabik.say(who, "tolong rumah sy kebakaran apinya udah gede")
    assert "112" in str(fire[0].get("text")), fire
    rows = handoff_rows(tabik, reference)
    assert ("resident", "tolong rumah sy kebakaran apinya udah gede", 1) in rows
    assert any(author == "bot" and "112" in text and flag for author, text, flag in rows)

    # A message to the waiting handoff is acknowledged (not on every message).
    acknowledged_long_ago(tabik, who)
    waiting = texts(tabik.say(who, "pak, petugasnya masih lama ya"))
    assert reference in waiting, waiting
    assert tabik.say(who, "saya tunggu") == []
    assert ("resident", "saya tunggu", 0) in handoff_rows(tabik, reference)

    # "kembali ke bot" leaves the handoff; the bot answers again.
    left = texts(tabik.say(who, "kembali ke bot"))
    assert "layanan otomatis" in left, left
    assert tabik.tracker(who)["slots"]["handoff_reference"] is None
    assert texts(tabik.say(who, "menu")), "the bot answers again"
