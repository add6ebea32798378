"""Rating after selesai through ``make serve``: an officer closes a ticket over the JSON API,
the resident is asked on the fake Graph API, answers "4" and a reason over the signed
webhook, and the ticket shows the rating."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.auxil.tabik_server import TabikServer
from tests.e2e.test_console_serve import account, api, say, texts_to, wait_until

pytestmark = pytest.mark.slow


def test_a_resident_rates_a_finished_ticket_and_the_officer_sees_it(
    tabik: TabikServer, fakes: Any
) -> None:
    suffix = uuid.uuid4().hex[:6]
    officer = account(tabik, f"nilai{suffix}", "officer", "Lampung Selatan")
    wa_id = "6281" + str(uuid.uuid4().int)[:9]
    status, filed = api(
        tabik,
        "POST",
        "/api/tickets",
        officer,
        {
            "kind": "complaint",
            "resident": {"name": "Bu Sari", "phone": "0" + wa_id[2:], "nik": None},
            "category": "penerangan",
            "kabupaten_kota": "Lampung Selatan",
            "kecamatan": "Natar",
            "desa": "Merak Batin",
            "description": "Lampu jalan mati di depan masjid",
        },
    )
    assert status == 201, filed
    number = filed["number"]
    assert wait_until(lambda: any(number in t for t in texts_to(fakes, wa_id))), tabik.tail_log()

    for step in ("diverifikasi", "diteruskan", "diproses", "selesai"):
        body = {"status": step, **({"note": "Sudah diperbaiki"} if step == "selesai" else {})}
        status, changed = api(tabik, "POST", f"/api/tickets/{number}/status", officer, body)
        assert status == 200 and changed["status"] == step, changed
    question = f"Bagaimana penanganan laporan {number}?"
    assert wait_until(lambda: any(question in t for t in texts_to(fakes, wa_id)), 60), (
        tabik.tail_log()
    )

    # "4" is the main menu's "Syarat dokumen"; with the question pending it is a rating.
    before = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "4")
    assert wait_until(
        lambda: any("Boleh ceritakan alasannya" in t for t in texts_to(fakes, wa_id)[before:])
    ), tabik.tail_log()
    assert not any("dokumen" in t.lower() for t in texts_to(fakes, wa_id)[before:])

    before = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "Lampunya sudah menyala lagi, petugasnya cepat")
    assert wait_until(
        lambda: any("sudah kami catat" in t for t in texts_to(fakes, wa_id)[before:])
    ), tabik.tail_log()

    status, page = api(tabik, "GET", f"/api/tickets/{number}", officer)
    assert status == 200
    assert page["rating"]["score"] == 4
    assert page["rating"]["comment"] == "Lampunya sudah menyala lagi, petugasnya cepat"
    assert page["rating"]["rated_at"]

    # Answered: the next "4" means the main menu again.
    before = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "4")
    assert wait_until(lambda: len(texts_to(fakes, wa_id)) > before), tabik.tail_log()
    assert not any("Boleh ceritakan alasannya" in t for t in texts_to(fakes, wa_id)[before:])
