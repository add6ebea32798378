"""``make serve`` tried as an attacker on the same network would (issue 7).

Identity comes only from an authenticated channel, Rasa's API and the action
server need their tokens, unsafe configurations do not start, oversized and
malformed bodies are refused, and a NIK typed with spaces is kept in neither
the logs nor the stored conversations.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.tabik_server import TabikServer, port_is_open, texts
from tests.e2e.conftest import Fakes
from tests.e2e.test_channels_serve import new_wa_id, wa_complaint
from tests.e2e.test_rest_conversations import COMPLAINT_ANSWERS, TICKET, fill

pytestmark = pytest.mark.slow

NIK = "1871025203950002"
SPACED_NIK = "18 71 02 520395 0002"
DOTTED_NIK = "1871.0252.0395.0002"
NIK_FORMS = (NIK, SPACED_NIK, DOTTED_NIK, "520395", "0252.0395")


# --- configurations that must not start ------------------------------------------


@pytest.mark.parametrize(
    ("env", "named"),
    [
        (
            {"TELEGRAM_BOT_TOKEN": fake_telegram.BOT_TOKEN, "RASA_API_TOKEN": "x"},
            ["TELEGRAM_SECRET_TOKEN"],
        ),
        (
            {
                "WHATSAPP_VERIFY_TOKEN": "v",
                "WHATSAPP_ACCESS_TOKEN": "a",
                "RASA_API_TOKEN": "x",
            },
            ["WHATSAPP_APP_SECRET", "WHATSAPP_PHONE_NUMBER_ID"],
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": fake_telegram.BOT_TOKEN,
                "TELEGRAM_SECRET_TOKEN": fake_telegram.SECRET_TOKEN,
            },
            ["RASA_API_TOKEN"],
        ),
    ],
    ids=["telegram-without-secret", "half-whatsapp", "no-api-token"],
)
def test_unsafe_configurations_do_not_start(
    tmp_path: Path, env: dict[str, str], named: list[str]
) -> None:
    server = TabikServer(tmp_path, env_overrides=env, api_token="")
    started = time.monotonic()
    result = server.run(*server.command)  # make serve, in the foreground
    assert result.returncode != 0
    for name in named:
        assert name in result.stderr, result.stderr
    assert time.monotonic() - started < 60  # refused before anything was started
    assert not port_is_open(server.rasa_port) and not port_is_open(server.actions_port)
    assert not (tmp_path / "var" / "endpoints.yml").exists()


# --- identity ---------------------------------------------------------------------


def test_rest_impersonation_of_a_whatsapp_resident_reveals_nothing(
    tabik: TabikServer, fakes: Fakes
) -> None:
    wa_id = new_wa_id()
    number = wa_complaint(tabik, fakes, wa_id).group(0)
    turns = tabik.user_turns(f"wa:{wa_id}")

    mine = texts(tabik.say(f"wa:{wa_id}", "cek status tiket saya"))
    assert number not in mine and "berlubang" not in mine
    by_number = texts(tabik.say(f"wa:{wa_id}", f"cek status {number}"))
    assert "diterima" in by_number
    for private in ("berlubang", "Hajimena", "Natar"):
        assert private not in by_number
    # The REST client got a conversation of its own; the resident's is untouched.
    assert tabik.user_turns(f"wa:{wa_id}") == turns
    assert tabik.user_turns(f"rest:wa:{wa_id}") == 2


# --- closed internal APIs -----------------------------------------------------------


def test_rasa_api_refuses_callers_without_the_token(tabik: TabikServer) -> None:
    tracker = "/conversations/wa:6281234567890/tracker"
    assert tabik.request("GET", tracker, auth=False)[0] == 401
    assert tabik.request("GET", tracker + "?token=guess", auth=False)[0] == 401
    model = json.dumps({"model_file": "/tmp/evil.tar.gz"}).encode()
    headers = {"Content-Type": "application/json"}
    assert tabik.request("PUT", "/model", model, headers, auth=False)[0] == 401
    parse = json.dumps({"text": "halo"}).encode()
    assert tabik.request("POST", "/model/parse", parse, headers, auth=False)[0] == 401
    assert tabik.request("GET", tracker)[0] == 200  # with the token


def test_the_action_server_refuses_callers_without_the_token(tabik: TabikServer) -> None:
    base = f"http://127.0.0.1:{tabik.actions_port}"
    call = {
        "next_action": "action_check_status",
        "sender_id": "wa:6281234567890",
        "tracker": {
            "sender_id": "wa:6281234567890",
            "slots": {"ticket_id": "ADU-261128-7KQ2"},
            "events": [],
            "latest_message": {},
            "active_loop": {},
        },
        "domain": {},
        "version": "3.6.21",
    }
    request = urllib.request.Request(
        f"{base}/webhook",
        data=json.dumps(call).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    with urllib.request.urlopen(f"{base}/health", timeout=10) as health:
        assert health.status == 200


def _processes_of(tabik: TabikServer) -> list[int]:
    assert tabik.process is not None
    group = tabik.process.pid  # make runs in its own session; children in their own groups
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if (
            f"RASA_PORT={tabik.rasa_port}".encode() in environ.split(b"\0")
            or int(entry.name) == group
        ):
            pids.append(int(entry.name))
    return pids


def test_no_secret_on_a_command_line_or_in_a_readable_file(tabik: TabikServer) -> None:
    pids = _processes_of(tabik)
    assert len(pids) >= 3  # make, the launcher, Rasa, the action server, the notifier
    actions_token = None
    for pid in pids:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        for item in environ:
            if item.startswith(b"ACTIONS_TOKEN="):
                actions_token = item.split(b"=", 1)[1].decode()
    assert actions_token, "the children got no ACTIONS_TOKEN"
    secrets = (tabik.api_token, actions_token, fake_whatsapp.APP_SECRET, fake_telegram.SECRET_TOKEN)
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        for secret in secrets:
            assert secret not in cmdline, (pid, cmdline)
    var = tabik.workdir / "var"
    for path in var.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        if any(s.encode() in content for s in secrets):
            assert path.stat().st_mode & 0o077 == 0, f"{path} holds a secret and is readable"
    for name in ("endpoints.yml", "credentials.yml"):
        assert (var / name).stat().st_mode & 0o077 == 0
    assert actions_token not in (var / "endpoints.yml").read_text()


# --- bodies -------------------------------------------------------------------------


async def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as answer,
    ):
        return answer.status


def test_oversized_bodies_are_413_and_nested_ones_400(tabik: TabikServer) -> None:
    big = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    deep = b'{"a":' * 20_000 + b"1" + b"}" * 20_000
    json_type = {"Content-Type": "application/json"}
    hooks: dict[str, Any] = {
        "whatsapp": lambda body: {
            **json_type,
            "X-Hub-Signature-256": fake_whatsapp.signature(body),
        },
        "telegram": lambda body: {**json_type, **fake_telegram.headers()},
        "rest": lambda body: json_type,
    }
    for channel, headers in hooks.items():
        url = f"{tabik.url}/webhooks/{channel}/webhook"
        assert asyncio.run(_post(url, big, headers(big))) == 413, channel
        assert asyncio.run(_post(url, deep, headers(deep))) == 400, channel
    assert tabik.get("/status")[0] == 200


# --- personal data ------------------------------------------------------------------


def test_a_spaced_nik_is_in_neither_the_logs_nor_the_tracker_store(tabik: TabikServer) -> None:
    who = f"e2e-nik-{uuid.uuid4().hex[:6]}"
    asked = texts(tabik.say(who, "cek bansos dong"))
    assert "NIK" in asked, asked
    answer = texts(tabik.say(who, SPACED_NIK))
    assert "terdaftar" in answer, answer
    other = f"e2e-nik-{uuid.uuid4().hex[:6]}"
    texts(tabik.say(other, f"cek bansos nik {DOTTED_NIK}"))
    tabik.wait_turn_done(other, 0)
    time.sleep(1)  # the last log lines of the turn

    logs = [tabik.log_path, *(p for p in (tabik.workdir / "var").rglob("*.log"))]
    for path in logs:
        text = path.read_text(errors="replace")
        for form in NIK_FORMS:
            assert form not in text, f"{form} in {path}"

    with sqlite3.connect(tabik.workdir / "trackers.db") as db:
        rows = [data for (data,) in db.execute("SELECT data FROM events")]
        mine = [
            data
            for (data,) in db.execute(
                "SELECT data FROM events WHERE sender_id IN (?, ?)",
                (f"rest:{who}", f"rest:{other}"),
            )
        ]
    assert mine, "the conversations were not stored"
    assert any("1871********0002" in data for data in mine)
    for form in NIK_FORMS:
        assert not any(form in data for data in mine), form
    for form in (SPACED_NIK, DOTTED_NIK):  # typed texts are masked in every conversation
        assert not any(form in data for data in rows), form
    assert NIK not in json.dumps(tabik.tracker(who))
    assert os.stat(tabik.workdir / "trackers.db")  # the SQL store, not an in-memory fallback


def test_a_stranger_never_reads_a_rejections_reason(tabik: TabikServer) -> None:
    owner = f"e2e-owner-{uuid.uuid4().hex[:6]}"
    number_match = TICKET.search(fill(tabik, owner, "mau lapor jalan rusak", COMPLAINT_ANSWERS))
    assert number_match
    number = number_match.group(0)
    reason = "Di luar wewenang; sudah diteruskan ke Pak Budi, Jl. Kenanga 5"
    tabik.cli("ticket", "set-status", number, "ditolak", "--actor", "petugas-e2e", "--note", reason)

    theirs = texts(tabik.say(f"e2e-stranger-{uuid.uuid4().hex[:6]}", f"cek status {number}"))
    assert "ditolak" in theirs
    for private in ("Kenanga", "Budi", "wewenang", "berlubang", "Hajimena"):
        assert private not in theirs, theirs
    mine = texts(tabik.say(owner, f"cek status {number}"))
    assert "Kenanga" in mine
