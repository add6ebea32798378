"""The staff console through ``make serve``, the fake Graph API and the JSON API."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from tests.auxil import fake_whatsapp
from tests.auxil.tabik_server import TabikServer

pytestmark = pytest.mark.slow

PASSWORD = "kata-sandi-konsol-uji"
WA_HOOK = "/webhooks/whatsapp/webhook"


def cli(tabik: TabikServer, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=tabik.env(),
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def account(tabik: TabikServer, username: str, role: str, *area: str) -> dict[str, str]:
    """A new account through the CLI; the headers of a bearer token for it."""
    options = [f"--{flag}={value}" for flag, value in zip(("kabupaten", "kecamatan", "desa"), area)]
    cli(tabik, "staff", "add", username, f"--role={role}", *options, stdin=PASSWORD + "\n")
    token = cli(tabik, "staff", "token", username)
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def api(
    tabik: TabikServer,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{tabik.console_port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers=headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


def texts_to(fakes: Any, wa_id: str) -> list[str]:
    found = []
    for message in list(fakes.graph.sent):
        if message.get("to") != wa_id:
            continue
        if message.get("type") == "text":
            found.append(message["text"]["body"])
        elif message.get("type") == "interactive":
            found.append(message["interactive"]["body"]["text"])
        elif message.get("type") == "template":
            components = message["template"].get("components") or []
            found.append(" ".join(p["text"] for c in components for p in c["parameters"]))
    return found


def say(tabik: TabikServer, wa_id: str, text: str) -> None:
    body, headers = fake_whatsapp.signed(
        fake_whatsapp.delivery(fake_whatsapp.text(text, wa_id, timestamp=int(time.time())))
    )
    status, _, _ = tabik.request("POST", WA_HOOK, body, headers)
    assert status == 200


def test_staff_console_end_to_end(tabik: TabikServer, fakes: Any) -> None:
    suffix = uuid.uuid4().hex[:6]
    village = account(tabik, f"desa{suffix}", "village", "Lampung Selatan", "Natar", "Hajimena")
    officer = account(tabik, f"petugas{suffix}", "officer", "Lampung Selatan")
    admin = account(tabik, f"admin{suffix}", "admin")
    wa_id = "6281" + str(uuid.uuid4().int)[:9]

    # Missing and wrong tokens.
    assert api(tabik, "GET", "/api/tickets")[0] == 401
    assert api(tabik, "GET", "/api/tickets", {"Authorization": "Bearer salah"})[0] == 401

    # Filing on behalf: an ADU number, and the resident's phone receives it.
    status, filed = api(
        tabik,
        "POST",
        "/api/tickets",
        village,
        {
            "kind": "complaint",
            "resident": {"name": "Pak Darto", "phone": "0" + wa_id[2:], "nik": None},
            "category": "jalan",
            "description": "Jalan desa berlubang di dekat balai",
        },
    )
    assert status == 201, filed
    number = filed["number"]
    assert number.startswith("ADU-")
    assert wait_until(lambda: any(number in t for t in texts_to(fakes, wa_id))), tabik.tail_log()

    # A village sees only its desa: another desa's ticket does not exist for it.
    status, other = api(
        tabik,
        "POST",
        "/api/tickets",
        officer,
        {
            "kind": "complaint",
            "resident": {"name": "Bu Ani"},
            "category": "sampah",
            "kabupaten_kota": "Lampung Selatan",
            "kecamatan": "Natar",
            "desa": "Merak Batin",
            "description": "Sampah menumpuk",
        },
    )
    assert status == 201
    # (The server is shared with other end-to-end tests: other residents of
    # Hajimena may have tickets too.)
    listed = api(tabik, "GET", "/api/tickets", village)[1]["tickets"]
    assert number in {t["number"] for t in listed}
    assert other["number"] not in {t["number"] for t in listed}
    assert {(t["kabupaten_kota"], t["kecamatan"], t["desa"]) for t in listed} == {
        ("Lampung Selatan", "Natar", "Hajimena")
    }
    assert api(tabik, "GET", f"/api/tickets/{other['number']}", village)[0] == 404

    # A status change reaches the resident on WhatsApp with the ticket number.
    before = len(texts_to(fakes, wa_id))
    assert (
        api(tabik, "POST", f"/api/tickets/{number}/status", village, {"status": "selesai"})[0]
        == 409
    )
    status, changed = api(
        tabik, "POST", f"/api/tickets/{number}/status", village, {"status": "diverifikasi"}
    )
    assert status == 200 and changed["status"] == "diverifikasi"
    assert wait_until(lambda: any(number in t for t in texts_to(fakes, wa_id)[before:])), (
        tabik.tail_log()
    )

    # The resident asks for a human: a handoff for Lampung Selatan; the bot goes quiet.
    before = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "saya mau bicara dengan petugas")
    assert wait_until(lambda: any("CS-" in t for t in texts_to(fakes, wa_id)[before:]))
    time.sleep(1.0)
    handoffs = api(tabik, "GET", "/api/handoffs?state=open", officer)[1]["handoffs"]
    [mine] = [h for h in handoffs if h["sender"] == f"wa:{wa_id}"]
    quiet_from = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "jalannya makin parah, tolong segera")
    assert wait_until(
        lambda: any(
            m["text"] == "jalannya makin parah, tolong segera"
            for h in api(tabik, "GET", "/api/handoffs?state=open", officer)[1]["handoffs"]
            if h["reference"] == mine["reference"]
            for m in h["messages"]
        )
    )
    # The first message to the officer hears that it was passed on; the next is quiet.
    assert wait_until(lambda: len(texts_to(fakes, wa_id)) > quiet_from)
    time.sleep(1.0)
    quiet_from = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "saya tunggu ya pak")
    assert wait_until(
        lambda: any(
            m["text"] == "saya tunggu ya pak"
            for h in api(tabik, "GET", "/api/handoffs?state=open", officer)[1]["handoffs"]
            if h["reference"] == mine["reference"]
            for m in h["messages"]
        )
    )
    time.sleep(3.0)
    assert texts_to(fakes, wa_id)[quiet_from:] == []  # the bot stayed silent

    # The officer's reply reaches the resident; closing hands back to the bot.
    status, _ = api(
        tabik,
        "POST",
        f"/api/handoffs/{mine['reference']}/reply",
        officer,
        {"text": "Baik, Pak. Tim kami datang besok."},
    )
    assert status == 200
    assert wait_until(
        lambda: "Petugas: Baik, Pak. Tim kami datang besok." in texts_to(fakes, wa_id)
    )
    assert api(tabik, "POST", f"/api/handoffs/{mine['reference']}/close", officer)[0] == 200
    after_close = len(texts_to(fakes, wa_id))
    say(tabik, wa_id, "halo")
    assert wait_until(lambda: len(texts_to(fakes, wa_id)) > after_close + 0), tabik.tail_log()

    # Audit: admins read it, others are refused.
    assert api(tabik, "GET", "/api/audit", officer)[0] == 403
    status, audit = api(tabik, "GET", "/api/audit?limit=500", admin)
    assert status == 200
    actions = {(e["action"], e["ticket"]) for e in audit["entries"]}
    assert ("ticket.filed_on_behalf", number) in actions
    assert ("ticket.status_changed", number) in actions
