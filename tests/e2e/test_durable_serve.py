"""Nothing lost between a resident's message and the reply, through ``make serve``.

(a) A burst of signed WhatsApp deliveries, every process killed with SIGKILL right
    after the 200s, a restart: every acknowledged message is answered, once.
(b) The Graph API answers 503 for 75 seconds: every reply is delivered after it.

Figures are printed (``-s`` shows them): answered after the restart, replies after
the outage, time to drain.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.auxil import fake_whatsapp
from tests.auxil.tabik_server import TabikServer, wait_until
from tests.e2e.conftest import Fakes

pytestmark = pytest.mark.slow

WA_HOOK = "/webhooks/whatsapp/webhook"
MESSAGES = ("halo", "terima kasih", "cek status tiket")
OUTAGE_SECONDS = 75.0
# The longest pause between two probes of a dead Graph API (the default is 60 s).
MAX_DELAY = "10"


def descendants(pid: int) -> list[int]:
    table = subprocess.run(
        ["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True, check=True
    ).stdout
    children: dict[int, list[int]] = {}
    for line in table.splitlines():
        child, parent = (int(x) for x in line.split())
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_everything(server: TabikServer) -> None:
    """SIGKILL to every process group of ``make serve`` and its children: a crash."""
    assert server.process is not None
    groups = {os.getpgid(p) for p in [server.process.pid, *descendants(server.process.pid)]}
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.process.wait(10)


def rows(server: TabikServer, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.workdir / "tabik.db", timeout=30) as db:
        return list(db.execute(sql).fetchall())


def scalar(server: TabikServer, sql: str) -> Any:
    return rows(server, sql)[0][0]


def among(senders: set[str]) -> str:
    """The SQL condition: the row's sender is one of ``senders``."""
    return f"sender_id in ({','.join(repr(s) for s in sorted(senders))})"


def post(server: TabikServer, payload: dict[str, Any]) -> int:
    body, headers = fake_whatsapp.signed(payload)
    status, _, _ = server.request("POST", WA_HOOK, body, headers, timeout=30)
    return status


def sends_to(fakes: Fakes, wa_ids: set[str]) -> list[dict[str, Any]]:
    return [m for m in list(fakes.graph.sent) if m.get("to") in wa_ids]


def expected_sends(server: TabikServer, senders: set[str]) -> int:
    """Platform messages the sent outbox rows hold (one per queued bot message here)."""
    total = 0
    for sender_id, payload in rows(server, "select sender_id, payload from outbox"):
        if sender_id in senders:
            total += len(json.loads(payload))
    return total


def sent_texts(fakes: Fakes, wa_id: str) -> list[str]:
    texts = []
    for message in sends_to(fakes, {wa_id}):
        if message.get("type") == "text":
            texts.append(str(message["text"]["body"])[:30])
        elif message.get("type") == "interactive":
            texts.append(str(message["interactive"]["body"]["text"])[:30])
    return texts


def queued_texts(server: TabikServer, wa_id: str) -> list[str]:
    found = rows(server, f"select payload from outbox where sender_id = 'wa:{wa_id}' order by id")
    return [str(m["text"])[:30] for (payload,) in found for m in json.loads(payload) if "text" in m]


def collapse(texts: list[str]) -> list[str]:
    """Consecutive repeats folded (a send cut by the kill may have gone twice)."""
    return [t for i, t in enumerate(texts) if i == 0 or texts[i - 1] != t]


@pytest.fixture(scope="module")
def durable_tabik(
    tmp_path_factory: pytest.TempPathFactory, whatsapp_env: dict[str, str]
) -> Iterator[TabikServer]:
    env = {**whatsapp_env, "OUTBOX_MAX_DELAY": MAX_DELAY}
    with TabikServer(
        tmp_path_factory.mktemp("tabik-durable"), env_overrides=env
    ).running() as server:
        yield server


def test_acknowledged_messages_survive_kill_9_and_are_answered_once(
    durable_tabik: TabikServer, fakes: Fakes
) -> None:
    server = durable_tabik
    residents = ["6283" + str(uuid.uuid4().int)[:9] for _ in range(10)]
    deliveries = [
        fake_whatsapp.delivery(fake_whatsapp.text(text, wa_id))
        for text in MESSAGES
        for wa_id in residents
    ]
    statuses: list[int] = []

    def burst(part: list[dict[str, Any]]) -> None:
        statuses.extend(post(server, payload) for payload in part)

    threads = [threading.Thread(target=burst, args=(deliveries[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(deliveries)

    kill_everything(server)
    senders = {f"wa:{r}" for r in residents}
    open_at_kill = scalar(
        server, "select count(*) from inbound_messages where state in ('pending', 'processing')"
    )
    sending_at_kill = scalar(server, "select count(*) from outbox where status = 'sending'")
    sent_before = len(sends_to(fakes, set(residents)))

    restarted = time.monotonic()
    server.start()
    up = time.monotonic() - restarted

    def all_answered() -> bool:
        done = scalar(server, "select count(*) from inbound_messages where state = 'done'")
        unsent = scalar(server, "select count(*) from outbox where status <> 'sent'")
        return done == len(deliveries) and unsent == 0

    assert wait_until(all_answered, timeout=300, step=0.5), server.tail_log()
    drained = time.monotonic() - restarted

    # One reply row per message, each sent; per resident as many platform messages as
    # those rows hold (a send cut by the kill may go twice: at least once, never lost).
    replies = rows(server, "select dedup_key, status from outbox where kind = 'reply'")
    keys = Counter(key for key, _ in replies)
    assert len(keys) == len(deliveries) and set(keys.values()) == {1}
    received = len(sends_to(fakes, set(residents)))
    expected = expected_sends(server, senders)
    duplicates = received - expected
    assert 0 <= duplicates <= sending_at_kill
    # Each resident's replies came in the order of their messages.
    for wa_id in residents:
        assert collapse(sent_texts(fakes, wa_id)) == collapse(queued_texts(server, wa_id))
    # And no turn ran twice: a turn Rasa had saved before the kill is replayed, not re-run.
    with sqlite3.connect(server.workdir / "trackers.db", timeout=30) as db:
        turns = dict(
            db.execute(
                "select sender_id, count(*) from events where type_name = 'user' group by sender_id"
            ).fetchall()
        )
    assert {s: turns.get(s, 0) for s in senders} == dict.fromkeys(senders, len(MESSAGES))
    print(
        f"\n[durable] burst {len(deliveries)} acknowledged; open at kill -9: {open_at_kill}, "
        f"sent before the kill: {sent_before} platform messages; restart took {up:.1f} s; "
        f"all {len(deliveries)} answered {drained:.1f} s after the restart began; "
        f"platform messages {received} for {expected} queued (duplicates: {duplicates})"
    )


def test_a_75_second_graph_api_outage_loses_no_reply(
    durable_tabik: TabikServer, fakes: Fakes
) -> None:
    server = durable_tabik
    residents = ["6285" + str(uuid.uuid4().int)[:9] for _ in range(8)]
    senders = {f"wa:{r}" for r in residents}
    fakes.graph.fail_for(OUTAGE_SECONDS)
    outage_started = time.monotonic()
    for text in MESSAGES[:2]:
        for wa_id in residents:
            assert post(server, fake_whatsapp.delivery(fake_whatsapp.text(text, wa_id))) == 200

    # Every turn is done and queued while the platform is down; nothing went out.
    def queued() -> bool:
        done = scalar(
            server,
            f"select count(*) from inbound_messages where state = 'done' and {among(senders)}",
        )
        return done == len(residents) * 2

    assert wait_until(queued, timeout=OUTAGE_SECONDS - 10, step=0.5), server.tail_log()
    assert sends_to(fakes, set(residents)) == []
    outage_left = OUTAGE_SECONDS - (time.monotonic() - outage_started)
    assert outage_left > 0, "the turns took longer than the outage"

    def delivered() -> bool:
        unsent = scalar(
            server, f"select count(*) from outbox where status <> 'sent' and {among(senders)}"
        )
        return unsent == 0

    assert wait_until(delivered, timeout=OUTAGE_SECONDS + 120, step=0.5), server.tail_log()
    drain = time.monotonic() - outage_started - OUTAGE_SECONDS
    failed_calls = len(
        [r for r in list(fakes.graph.requests) if r["json"].get("to") in set(residents)]
    ) - len(sends_to(fakes, set(residents)))
    received = len(sends_to(fakes, set(residents)))
    expected = expected_sends(server, senders)
    assert received == expected
    retries = scalar(server, f"select max(attempts) from outbox where {among(senders)}")
    print(
        f"\n[durable] outage {OUTAGE_SECONDS:.0f} s: {len(residents) * 2} messages answered, "
        f"{received} platform messages delivered after it (of {expected} queued), "
        f"drained {drain:.1f} s after the outage ended; {failed_calls} refused calls "
        f"during it; at most {retries} attempts for a row"
    )
