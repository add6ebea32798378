"""Two ``make serve`` instances on one PostgreSQL and one Redis behave as one Tabik.

Both serve the same model, on their own ports, in a database and under a Redis
key prefix of this test's own (removed afterwards). Signed WhatsApp deliveries
alternate between them as a load balancer would spread them; replies go to the
fake Graph API. In order:

(a) 40 residents x 4 messages, consecutive messages on alternate instances: every
    message answered once, in order;
(b) complaints whose steps alternate instances, the confirmation delivered to both
    at once: one ticket each;
(c) one delivery to both instances at the same moment: answered once;
(d) one instance killed (SIGKILL to its process groups) in the middle of a burst:
    every message it acknowledged is answered by the other.

Without PostgreSQL or Redis the module is skipped with a loud reason (a failure
under REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from sqlalchemy import text

from bot.adapters.db.engine import make_engine
from tests.auxil import fake_whatsapp
from tests.auxil.lookups import MAX_LOOKUPS, new_run, ticket_for
from tests.auxil.services import require_postgres, require_redis
from tests.auxil.tabik_server import TabikServer, drive_form, wait_started, wait_until
from tests.e2e.conftest import Fakes
from tests.e2e.test_durable_serve import kill_everything
from tests.e2e.test_rest_conversations import COMPLAINT_ANSWERS, TICKET

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

WA_HOOK = "/webhooks/whatsapp/webhook"
RESIDENTS = 40
MESSAGES = MAX_LOOKUPS
# Claims and leases short enough that a dead instance's work is taken over within
# seconds (production keeps 60 s and 120 s; the lock's 30 s lease is unchanged).
LEASES = {"INBOUND_LEASE": "8", "OUTBOX_LEASE": "8"}


# --- services and instances ---------------------------------------------------------


def database_of_our_own(server_url: str) -> Iterator[str]:
    """A fresh database on the test server, dropped (connections and all) afterwards."""
    name = f"tabik_e2e_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        parts = urlsplit(server_url)
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def forget_keys(redis_url: str, prefix: str) -> int:
    from redis import asyncio as aioredis

    client = aioredis.from_url(redis_url, socket_timeout=5)
    try:
        keys = [key async for key in client.scan_iter(f"{prefix}*", count=1000)]
        return int(await client.delete(*keys)) if keys else 0
    finally:
        await client.close()


def wait_for_log(server: TabikServer, needle: str, timeout: float = 240) -> None:
    """Until ``needle`` is in the log of a server another thread is starting."""
    assert wait_until(lambda: server.process is not None, timeout=10), "make serve not started"
    assert server.process is not None
    wait_started(
        server.process,
        lambda: needle in server.log_path.read_text(errors="replace"),
        timeout=timeout,
        step=0.5,
        what=f"make serve (waiting for {needle!r} in its log)",
        log=server.tail_log,
    )


@contextmanager
def two_instances(
    workdir: Path,
    whatsapp_env: dict[str, str],
    *,
    tag: str,
    env: dict[str, str] | None = None,
    start_timeout: float = 300.0,
) -> Iterator[list[TabikServer]]:
    """Two ``make serve`` instances on a database and Redis prefix of their own (removed
    afterwards): one Tabik, as an operator would run it on two hosts."""
    server_url, redis_url = require_postgres(), require_redis()
    prefix = f"{tag}_{uuid.uuid4().hex[:8]}:"
    databases = database_of_our_own(server_url)
    database_url = next(databases)
    shared = {
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        # One database: one console key for both (make serve refuses otherwise).
        "CONSOLE_SECRET_KEY": f"e2e-console-key-{uuid.uuid4().hex}",
        **whatsapp_env,
        **(env or {}),
    }
    servers = [TabikServer(workdir / name, env_overrides=shared) for name in ("a", "b")]
    try:
        first = threading.Thread(target=servers[0].start, args=(start_timeout,), daemon=True)
        first.start()
        # The second starts once the first has migrated the database and made Rasa's
        # tables (so neither races the other's DDL); both load the model at once.
        wait_for_log(servers[0], "Loading model", timeout=start_timeout)
        servers[1].start(start_timeout)
        first.join(start_timeout)
        assert servers[0].get("/status")[0] == 200, servers[0].tail_log()
        yield servers
    finally:
        for server in servers:
            server.stop_if_running()
        asyncio.run(forget_keys(redis_url, prefix))
        next(databases, None)


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, whatsapp_env: dict[str, str]
) -> Iterator[list[TabikServer]]:
    workdir = tmp_path_factory.mktemp("tabik-two")
    with two_instances(workdir, whatsapp_env, tag="tabik_e2e", env=LEASES) as servers:
        yield servers


# --- residents ------------------------------------------------------------------------


def new_wa_id() -> str:
    return "6285" + str(uuid.uuid4().int)[:9]


def sent_to(fakes: Fakes, wa_id: str) -> list[dict[str, Any]]:
    return [m for m in list(fakes.graph.sent) if m.get("to") == wa_id]


def answered(fakes: Fakes, wa_id: str, tickets: set[str]) -> list[str]:
    """The tickets named in what was sent to ``wa_id``, one entry per message that named it."""
    found = []
    for message in sent_to(fakes, wa_id):
        found += [t for t in set(re.findall(r"ADU-\d{6}-\w+", json.dumps(message))) if t in tickets]
    return found


async def post(
    http: aiohttp.ClientSession, server: TabikServer, payload: dict[str, Any]
) -> int | None:
    """The webhook's status, or None when the instance did not answer (dead)."""
    body, headers = fake_whatsapp.signed(payload)
    try:
        async with http.post(server.url + WA_HOOK, data=body, headers=headers) as answer:
            return answer.status
    except aiohttp.ClientError:
        return None


def lookup(run: str, number: int, index: int, wa_id: str) -> dict[str, Any]:
    return fake_whatsapp.delivery(
        fake_whatsapp.text(
            f"cek status tiket {ticket_for(run, number, index)}",
            wa_id,
            message_id=f"wamid.TWO-{run}-{wa_id}-{index}",
        )
    )


def logs(servers: list[TabikServer]) -> str:
    return "\n\n".join(f"--- {s.rasa_port}\n{s.tail_log(30)}" for s in servers)


# --- the tests --------------------------------------------------------------------------


def test_a_burst_alternating_instances_is_answered_once_each_in_order(
    instances: list[TabikServer], fakes: Fakes
) -> None:
    run, wa_ids = new_run(), [new_wa_id() for _ in range(RESIDENTS)]

    async def burst() -> list[int | None]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

            async def resident(number: int, wa_id: str) -> list[int | None]:
                return [
                    await post(http, instances[(number + k) % 2], lookup(run, number, k, wa_id))
                    for k in range(MESSAGES)
                ]

            done = await asyncio.gather(*(resident(n, w) for n, w in enumerate(wa_ids)))
        return [status for statuses in done for status in statuses]

    assert set(asyncio.run(burst())) == {200}
    expected = {
        wa_id: [ticket_for(run, n, k) for k in range(MESSAGES)] for n, wa_id in enumerate(wa_ids)
    }

    def all_answered() -> bool:
        return all(
            set(tickets) <= set(answered(fakes, wa_id, set(tickets)))
            for wa_id, tickets in expected.items()
        )

    assert wait_until(all_answered, timeout=150), logs(instances)
    time.sleep(1.0)  # a late duplicate would show now
    for wa_id, tickets in expected.items():
        # Lost, doubled or out of order would each change this list.
        assert answered(fakes, wa_id, set(tickets)) == tickets, wa_id


def say(instances: list[TabikServer], fakes: Fakes, wa_id: str, step: int, message: str) -> str:
    """One step of a conversation on instance ``step % 2``; the bot's answer."""
    server = instances[step % 2]
    before, turns = len(sent_to(fakes, wa_id)), server.user_turns(f"wa:{wa_id}")
    payload = fake_whatsapp.delivery(
        fake_whatsapp.text(message, wa_id, message_id=f"wamid.STEP-{wa_id}-{step}")
    )
    body, headers = fake_whatsapp.signed(payload)
    if message == COMPLAINT_ANSWERS["complaint_confirmed"]:
        # The confirmation reaches both instances at the same moment (a redelivery race).
        with ThreadPoolExecutor(2) as pool:
            statuses = list(
                pool.map(lambda s: s.request("POST", WA_HOOK, body, headers)[0], instances)
            )
    else:
        statuses = [server.request("POST", WA_HOOK, body, headers)[0]]
    assert set(statuses) == {200}
    assert wait_until(lambda: len(sent_to(fakes, wa_id)) > before, 60), logs(instances)
    server.wait_turn_done(f"wa:{wa_id}", turns, timeout=60)
    time.sleep(0.5)  # the turn's last send
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in sent_to(fakes, wa_id)[before:])


def tickets_of(database_url: str, wa_id: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT t.number FROM tickets t JOIN chat_identities c"
                    " ON c.id = t.filed_by_identity_id"
                    " WHERE c.channel = 'whatsapp' AND c.account = :account"
                ),
                {"account": wa_id},
            )
            return [str(number) for (number,) in rows]
    finally:
        engine.dispose()


def test_complaints_filed_across_instances_each_make_one_ticket(
    instances: list[TabikServer], fakes: Fakes
) -> None:
    def file_one(wa_id: str) -> str:
        steps = iter(range(100))
        said = [say(instances, fakes, wa_id, next(steps), "mau lapor jalan rusak")]
        said += drive_form(
            lambda slot: COMPLAINT_ANSWERS.get(slot),
            lambda answer: say(instances, fakes, wa_id, next(steps), answer),
            lambda: instances[0].requested_slot(f"wa:{wa_id}"),
        )
        match = TICKET.search("\n".join(said))
        assert match and match.group(1) == "ADU", said[-2:]
        return match.group(0)

    wa_ids = [new_wa_id() for _ in range(3)]
    with ThreadPoolExecutor(len(wa_ids)) as pool:
        numbers = list(pool.map(file_one, wa_ids))
    time.sleep(1.0)
    database_url = instances[0].env()["DATABASE_URL"]
    for wa_id, number in zip(wa_ids, numbers, strict=True):
        assert tickets_of(database_url, wa_id) == [number]


def test_one_delivery_to_both_instances_at_once_is_answered_once(
    instances: list[TabikServer], fakes: Fakes
) -> None:
    run, wa_id = new_run(), new_wa_id()
    payload = lookup(run, 0, 0, wa_id)

    async def twice() -> list[int | None]:
        async with aiohttp.ClientSession() as http:
            return list(await asyncio.gather(*(post(http, s, payload) for s in instances)))

    assert asyncio.run(twice()) == [200, 200]
    ticket = ticket_for(run, 0, 0)
    assert wait_until(lambda: bool(answered(fakes, wa_id, {ticket})), 60), logs(instances)
    time.sleep(2.0)
    assert answered(fakes, wa_id, {ticket}) == [ticket]


def test_an_instance_killed_mid_burst_leaves_nothing_unanswered(
    instances: list[TabikServer], fakes: Fakes
) -> None:
    survivor, victim = instances
    run, wa_ids = new_run(), [new_wa_id() for _ in range(20)]
    acknowledged: dict[str, list[str]] = {wa_id: [] for wa_id in wa_ids}
    by_victim = 0  # acknowledged by the instance that then died
    half = threading.Event()

    async def burst() -> None:
        count = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:

            async def resident(number: int, wa_id: str) -> None:
                nonlocal count, by_victim
                for k in range(MESSAGES):
                    payload = lookup(run, number, k, wa_id)
                    target = instances[(number + k) % 2]
                    status = await post(http, target, payload)
                    by_victim += status == 200 and target is victim
                    if status != 200:
                        # Not acknowledged: the platform delivers it again, to a live one.
                        status = await post(http, survivor, payload)
                    assert status == 200
                    acknowledged[wa_id].append(ticket_for(run, number, k))
                    count += 1
                    if count == len(wa_ids) * MESSAGES // 2:
                        half.set()
                    await asyncio.sleep(0.05)

            await asyncio.gather(*(resident(n, w) for n, w in enumerate(wa_ids)))

    killer = threading.Thread(target=lambda: half.wait(60) and kill_everything(victim))
    killer.start()
    asyncio.run(burst())
    killer.join(30)
    assert victim.process is not None and victim.process.poll() is not None
    assert by_victim > 0

    def all_answered() -> bool:
        return all(
            set(tickets) <= set(answered(fakes, wa_id, set(tickets)))
            for wa_id, tickets in acknowledged.items()
        )

    # The dead instance's claims lapse after their lease, its conversation locks after 30 s.
    assert wait_until(all_answered, timeout=120), logs(instances)
    for wa_id, tickets in acknowledged.items():
        replies = answered(fakes, wa_id, set(tickets))
        # A send cut by the kill may go twice; nothing is lost or reordered.
        assert [t for i, t in enumerate(replies) if i == 0 or replies[i - 1] != t] == tickets
