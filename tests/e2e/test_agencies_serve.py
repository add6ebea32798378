"""Agencies through ``make serve``: a resident's complaint on WhatsApp is held by the
agency routing gives it, and only that agency's officers see it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.auxil import fake_whatsapp
from tests.auxil.tabik_server import TabikServer, drive_form
from tests.e2e.conftest import Fakes
from tests.e2e.test_channels_serve import new_wa_id, wa_say
from tests.e2e.test_console_serve import PASSWORD, api
from tests.e2e.test_rest_conversations import COMPLAINT_ANSWERS, TICKET

pytestmark = pytest.mark.slow

RUBBISH_IN_KEDATON = {
    **COMPLAINT_ANSWERS,
    "complaint_category": "sampah menumpuk",
    "kabupaten_kota": "balam",
    "kecamatan": "kedaton",
    "desa": "sidodadi",
    "description": "sampah di pinggir jalan tidak diangkut sudah dua minggu, baunya menyengat",
}


def agency_officer(tabik: TabikServer, username: str, agency: str) -> dict[str, str]:
    """An officer of ``agency`` through the CLI; the headers of a bearer token for it."""
    tabik.cli(
        "staff", "add", username, "--role", "officer", "--agency", agency, stdin=PASSWORD + "\n"
    )
    token = tabik.cli("staff", "token", username)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_rubbish_from_kedaton_is_held_by_dlh_1871_and_hidden_from_pu_1871(
    tabik: TabikServer, fakes: Fakes
) -> None:
    wa_id = new_wa_id()
    said = [wa_say(tabik, fakes, wa_id, fake_whatsapp.text("mau lapor sampah menumpuk", wa_id))]
    said += drive_form(
        lambda slot: RUBBISH_IN_KEDATON.get(slot or ""),
        lambda text: wa_say(tabik, fakes, wa_id, fake_whatsapp.text(text, wa_id)),
        lambda: tabik.requested_slot(f"wa:{wa_id}"),
    )
    match = TICKET.search("\n".join(said))
    assert match and match.group(1) == "ADU", said[-2:]
    number = match.group(0)

    suffix = wa_id[-6:]
    dlh = agency_officer(tabik, f"dlh{suffix}", "DLH-1871")
    pu = agency_officer(tabik, f"pu{suffix}", "PU-1871")

    status, listed = api(tabik, "GET", "/api/tickets", dlh)
    assert status == 200
    [ticket] = [t for t in listed["tickets"] if t["number"] == number]
    assert ticket["agency"] == {
        "code": "DLH-1871",
        "name": "Dinas Lingkungan Hidup Kota Bandar Lampung",
    }
    assert ticket["escalated_to"] is None
    assert (ticket["kabupaten_kota"], ticket["kecamatan"]) == ("Bandar Lampung", "Kedaton")

    status, details = api(tabik, "GET", f"/api/tickets/{number}", dlh)
    assert status == 200 and details["agency"]["code"] == "DLH-1871"
    status, refused = api(tabik, "GET", f"/api/tickets/{number}", pu)
    assert status == 404, refused
    unseen: Any = api(tabik, "GET", "/api/tickets", pu)[1]["tickets"]
    assert number not in {t["number"] for t in unseen}
