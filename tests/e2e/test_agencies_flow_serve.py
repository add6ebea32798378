"""Agencies through ``make serve``, the fake Graph API, the CLI and the JSON API.

A rubbish complaint from Kedaton is held by the city's environment agency: its
officer sees it, the public-works officer gets 404. A forward moves it (history
from → to, the resident told on WhatsApp); "bukan wewenang" to PUSAT tells the
resident where it belongs. A report received 10 working days ago is escalated by
``sla escalate`` and appears for the province. The public figures hide small
cells and carry no personal data; the staff figures export as CSV.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.auxil.tabik_server import TabikServer
from tests.e2e.test_console_serve import PASSWORD, api, cli, texts_to, wait_until

pytestmark = pytest.mark.slow

RESIDENT = "Ibu Sulastri Handayani"


def officer_of(tabik: TabikServer, agency: str, suffix: str) -> dict[str, str]:
    username = f"{agency.lower().replace('-', '')}{suffix}"
    cli(
        tabik,
        "staff",
        "add",
        username,
        "--role=officer",
        f"--agency={agency}",
        stdin=PASSWORD + "\n",
    )
    token = cli(tabik, "staff", "token", username)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def admin_of(tabik: TabikServer, suffix: str) -> dict[str, str]:
    cli(tabik, "staff", "add", f"admin{suffix}", "--role=admin", stdin=PASSWORD + "\n")
    token = cli(tabik, "staff", "token", f"admin{suffix}")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def raw(tabik: TabikServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{tabik.console_port}{path}", headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def forward(
    tabik: TabikServer, number: str, headers: dict[str, str], agency: str, reason: str, **more: str
) -> tuple[int, Any]:
    body = {"agency": agency, "reason": reason, **more}
    return api(tabik, "POST", f"/api/tickets/{number}/forward", headers, body)


def rubbish_in_kedaton(
    tabik: TabikServer, headers: dict[str, str], wa_id: str, **extra: Any
) -> str:
    status, filed = api(
        tabik,
        "POST",
        "/api/tickets",
        headers,
        {
            "kind": "complaint",
            "resident": {"name": RESIDENT, "phone": "0" + wa_id[2:], "nik": None},
            "category": "sampah",
            "kabupaten_kota": "Bandar Lampung",
            "kecamatan": "Kedaton",
            "desa": "Sukamenanti",
            "description": "Sampah menumpuk di pinggir jalan dekat pasar, sudah seminggu",
            **extra,
        },
    )
    assert status == 201, filed
    return str(filed["number"])


def test_a_ticket_goes_from_office_to_office_and_up_when_overdue(
    tabik: TabikServer, fakes: Any
) -> None:
    suffix = uuid.uuid4().hex[:6]
    admin = admin_of(tabik, suffix)
    dlh, pu, province = (
        officer_of(tabik, code, suffix) for code in ("DLH-1871", "PU-1871", "DLH-18")
    )
    wa_id = "6281" + str(uuid.uuid4().int)[:9]

    # Routing: the city's environment agency holds it; public works does not see it.
    number = rubbish_in_kedaton(tabik, admin, wa_id)
    status, held = api(tabik, "GET", f"/api/tickets/{number}", dlh)
    assert status == 200, held
    assert held["agency"]["code"] == "DLH-1871"
    assert "Lingkungan Hidup" in held["agency"]["name"]
    listed = api(tabik, "GET", "/api/tickets", dlh)[1]["tickets"]
    assert number in {t["number"] for t in listed}
    assert api(tabik, "GET", f"/api/tickets/{number}", pu)[0] == 404

    # A forward to public works moves it: history from → to, the resident told.
    names = {a["code"]: a["name"] for a in api(tabik, "GET", "/api/agencies", admin)[1]["agencies"]}
    before = len(texts_to(fakes, wa_id))
    assert forward(tabik, number, dlh, "DLH-1871", "disposisi")[0] == 422
    assert forward(tabik, number, dlh, "XYZ-1", "disposisi")[0] == 422
    assert forward(tabik, number, pu, "PU-1871", "disposisi")[0] == 404
    status, moved = forward(
        tabik, number, dlh, "PU-1871", "bukan_wewenang", note="Sampah di bahu jalan kota"
    )
    assert status == 200, moved
    assert moved["agency"]["code"] == "PU-1871"
    assert api(tabik, "GET", f"/api/tickets/{number}", dlh)[0] == 404
    page = api(tabik, "GET", f"/api/tickets/{number}", pu)[1]
    last = page["history"][-1]["note"]
    assert "DLH-1871" in last and "PU-1871" in last and "bahu jalan" in last
    assert wait_until(
        lambda: any(names["PU-1871"] in t for t in texts_to(fakes, wa_id)[before:])
    ), tabik.tail_log()

    # Not Lampung's authority: the resident is pointed to SP4N-LAPOR!, politely closed.
    before = len(texts_to(fakes, wa_id))
    status, outside = forward(tabik, number, pu, "PUSAT", "bukan_wewenang", note="Jalan nasional")
    assert status == 200, outside
    assert outside["status"] == "ditolak"
    assert wait_until(
        lambda: any("lapor.go.id" in t and "1708" in t for t in texts_to(fakes, wa_id)[before:])
    ), tabik.tail_log()

    # Received on paper 14 days ago (10 working days): escalated to the province, once.
    received = (datetime.now(timezone.utc) - timedelta(days=14)).isoformat()
    late = rubbish_in_kedaton(tabik, admin, wa_id, received_at=received)
    assert api(tabik, "GET", f"/api/tickets/{late}", province)[0] == 404
    future = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    status, refused = api(
        tabik,
        "POST",
        "/api/tickets",
        admin,
        {
            "kind": "complaint",
            "resident": {"name": RESIDENT, "phone": None, "nik": None},
            "category": "sampah",
            "kabupaten_kota": "Bandar Lampung",
            "received_at": future,
        },
    )
    assert status == 422 and "received_at" in json.dumps(refused)
    dry = cli(tabik, "sla", "escalate", "--dry-run")
    assert late in dry
    assert api(tabik, "GET", f"/api/tickets/{late}", province)[0] == 404  # a dry run writes nothing
    printed = cli(tabik, "sla", "escalate")
    assert late in printed and "DLH-18" in printed
    assert late not in cli(tabik, "sla", "escalate")  # counted once
    status, up = api(tabik, "GET", f"/api/tickets/{late}", province)
    assert status == 200, up
    assert (up["agency"]["code"], up["escalated_to"]) == ("DLH-1871", "DLH-18")
    queue = api(tabik, "GET", "/api/tickets", province)[1]["tickets"]
    assert late in {t["number"] for t in queue}

    # Figures: the public ones hide cells under 5 and every personal detail; CSV for staff.
    for _ in range(5):
        rubbish_in_kedaton(tabik, admin, "6281" + str(uuid.uuid4().int)[:9])
    month = datetime.now(timezone(timedelta(hours=7))).strftime("%Y-%m")
    status, public = api(tabik, "GET", f"/api/public/stats?month={month}")
    assert status == 200, public
    assert public["cells"], public
    assert all(cell["received"] >= 5 for cell in public["cells"])
    assert any(
        (c["kabupaten_kota"], c["category"]) == ("Bandar Lampung", "sampah")
        for c in public["cells"]
    )
    status, html = raw(tabik, f"/statistik?month={month}")
    assert status == 200 and "<svg" in html
    for private in (RESIDENT, wa_id[2:], "pinggir jalan dekat pasar", number):
        assert private not in json.dumps(public) and private not in html
    status, csv = raw(tabik, "/api/stats.csv", admin)
    assert status == 200
    assert csv.splitlines()[0].startswith("figure,")
    assert "received" in csv
