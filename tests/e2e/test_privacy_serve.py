"""Identity by chat account and erasure, black box through ``make serve`` (issue 16).

A second chat account applying with a known NIK is filed, flagged to staff, and sees
nobody else's name or phone; ``resident erase`` leaves no trace of the resident's NIK,
phone or name in any database file (the SQLite files and their write-ahead logs) or the
media folder, and the ticket still counts.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from tests.auxil import fake_whatsapp
from tests.auxil.tabik_server import TabikServer, drive_form, texts, wait_until
from tests.e2e.test_console_serve import account, api

pytestmark = pytest.mark.slow

TICKET = re.compile(r"\bMHN-\d{6}-[2-9A-HJ-KMNP-Z]{4,8}\b")
WA_HOOK = "/webhooks/whatsapp/webhook"


def a_nik() -> str:
    # Bandar Lampung (18.71.01), born 15-08-19xx (a woman: day + 40), a serial of this run.
    return f"1871015508{uuid.uuid4().int % 100:02d}{uuid.uuid4().int % 9999 + 1:04d}"


def answers(nik: str, name: str, phone: str) -> dict[str, str]:
    return {
        "document_type": "kk",
        "nik": nik,
        "full_name": name,
        "kabupaten_kota": "balam",
        "phone_number": phone,
        "application_confirmed": "ya",
    }


def apply_over_rest(tabik: TabikServer, who: str, given: dict[str, str]) -> tuple[str, str]:
    """An application typed through the REST channel; its number and the bot's texts."""
    said = [texts(tabik.say(who, "sy mau bikin kk baru"))]
    said += drive_form(
        lambda slot: given[slot] if slot in given else pytest.fail(f"unexpected slot {slot}"),
        lambda text: texts(tabik.say(who, text)),
        lambda: tabik.requested_slot(who),
    )
    transcript = "\n".join(said)
    match = TICKET.search(transcript)
    assert match, transcript
    return match.group(0), transcript


def test_a_second_account_with_a_known_nik_is_filed_flagged_and_sees_nobody_else(
    tabik: TabikServer,
) -> None:
    nik = a_nik()
    first, _ = apply_over_rest(
        tabik,
        f"e2e-{uuid.uuid4().hex[:8]}",
        answers(nik, "Dewi Lestari Handayani", "0813-2222-4444"),
    )
    stranger = f"e2e-{uuid.uuid4().hex[:8]}"
    second, transcript = apply_over_rest(
        tabik, stranger, answers(nik, "Rudi Hartono", "0857-9988-7766")
    )
    assert second != first
    seen = transcript + texts(tabik.say(stranger, f"cek status {second}"))
    seen += texts(tabik.say(stranger, "tiket saya"))
    assert second in seen and "Rudi Hartono" in seen
    # The form's own examples name a phone: the victim's details are searched for exactly.
    assert "Dewi" not in seen and "2222" not in seen and "4444" not in seen

    admin = account(tabik, f"admin{uuid.uuid4().hex[:6]}", "admin")
    status, flagged = api(tabik, "GET", f"/api/tickets/{second}", admin)
    assert status == 200 and flagged["nik_known_elsewhere"] is True
    assert flagged["resident"]["name"] == "Rudi Hartono"
    assert flagged["resident"]["phone"] == "085799887766"  # as the form canonicalised it
    _, original = api(tabik, "GET", f"/api/tickets/{first}", admin)
    assert original["nik_known_elsewhere"] is False
    assert original["resident"]["name"] == "Dewi Lestari Handayani"
    _, audit = api(tabik, "GET", "/api/audit?limit=100", admin)
    assert {"action": "ticket.nik_known_elsewhere", "ticket": second} in [
        {"action": e["action"], "ticket": e["ticket"]} for e in audit["entries"]
    ]


# ----------------------------------------------------------------------- erasure


def say_on_whatsapp(tabik: TabikServer, wa_id: str, text: str) -> None:
    """One message from WhatsApp, waited for until the bot listens again."""
    before = tabik.user_turns(f"wa:{wa_id}")
    body, headers = fake_whatsapp.signed(
        fake_whatsapp.delivery(fake_whatsapp.text(text, wa_id, timestamp=int(time.time())))
    )
    status, _, _ = tabik.request("POST", WA_HOOK, body, headers)
    assert status == 200
    tabik.wait_turn_done(f"wa:{wa_id}", before, timeout=60)


def erase(tabik: TabikServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "resident", "erase", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=tabik.env(),
        timeout=300,
        check=False,
    )


def stored_bytes(tabik: TabikServer) -> bytes:
    """Every database file (SQLite, with -wal and -shm) and the media folder, lower-cased."""
    files = [p for p in tabik.workdir.glob("*.db*") if p.is_file()]
    media = tabik.workdir / "var" / "media"
    files += [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
    assert any(p.name == "tabik.db" for p in files) and any(p.name == "trackers.db" for p in files)
    return b"".join(p.read_bytes() for p in sorted(files)).lower()


def tickets_row(database: Path, number: str) -> Any:
    with sqlite3.connect(database) as db:
        return db.execute(
            "select kind, document_type, kabupaten_kota, status, created_at, resident_id "
            "from tickets where number = ?",
            (number,),
        ).fetchone()


def test_resident_erase_leaves_no_trace_and_the_ticket_still_counts(
    tabik: TabikServer, fakes: Any
) -> None:
    wa_id = "6281" + str(uuid.uuid4().int)[:9]
    phone = "0" + wa_id[2:]
    nik, name = a_nik(), "Wulan Kartika Sari"
    say_on_whatsapp(tabik, wa_id, "sy mau bikin kk baru")
    given = answers(nik, name, phone)
    for _ in range(12):
        slot = tabik.requested_slot(f"wa:{wa_id}")
        if slot is None:
            break
        say_on_whatsapp(tabik, wa_id, given[slot])

    def sent() -> str:
        return " ".join(
            str(m.get("text", {}).get("body", "")) for m in fakes.graph.sent if m.get("to") == wa_id
        )

    # The turn is done once the reply is in the outbox; the sender delivers it just after.
    wait_until(lambda: TICKET.search(sent()) is not None, timeout=20)
    match = TICKET.search(sent())
    assert match, sent()
    number = match.group(0)
    say_on_whatsapp(tabik, wa_id, f"terima kasih, salam {name}")
    traces = [t.lower().encode() for t in (nik, phone, wa_id, name)]
    before = stored_bytes(tabik)
    assert all(t in before for t in traces)  # the search below can find them

    unknown = erase(tabik, "--nik", a_nik())
    assert unknown.returncode == 1 and "no resident known by this nik" in unknown.stderr

    done = erase(tabik, "--phone", phone)
    assert done.returncode == 0, done.stdout + done.stderr
    assert number in done.stdout

    after = stored_bytes(tabik)
    for trace in traces:
        assert trace not in after, trace
    # The ticket still counts: its number, kind, document type, place, status and date.
    kind, document_type, region, status, created_at, resident = tickets_row(
        tabik.workdir / "tabik.db", number
    )
    assert (kind, document_type, region, status) == ("MHN", "kk", "Bandar Lampung", "diterima")
    assert created_at and resident is None
    admin = account(tabik, f"admin{uuid.uuid4().hex[:6]}", "admin")
    _, listed = api(tabik, "GET", "/api/tickets", admin)
    assert number in [t["number"] for t in listed["tickets"]]
    _, audit = api(tabik, "GET", "/api/audit?limit=100", admin)
    assert "resident.erased" in [e["action"] for e in audit["entries"]]
