"""2,000 fuzzed, correctly signed WhatsApp deliveries against two ``make serve`` instances
on one PostgreSQL get no 5xx (issue 16).

The payloads are the webhook fuzzer's (tests/channels/test_fuzz_webhooks.py): Meta's
shapes with parts replaced by anything, NaN and infinities, NUL characters, lone
surrogates and sender ids longer than any column holds among them. A 5xx would have
Meta redeliver the same poison for days; what the store cannot hold is acknowledged
and dropped instead. The two instances are those of tests/e2e/test_two_instances_serve.py
(their own database and Redis prefix, removed afterwards).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3
from hypothesis import given, seed, settings

from tests.auxil import fake_whatsapp
from tests.auxil.services import require_postgres, require_redis
from tests.auxil.tabik_server import TabikServer
from tests.channels.test_fuzz_webhooks import FUZZ, SEED, wa_payloads
from tests.e2e.test_two_instances_serve import (
    WA_HOOK,
    database_of_our_own,
    forget_keys,
    logs,
    wait_for_log,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

PAYLOADS = 2_000
# Two models loading at once on a busy machine may take longer than one start's default.
START_TIMEOUT = 900.0


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, whatsapp_env: dict[str, str]
) -> Iterator[list[TabikServer]]:
    """Two instances on a database and Redis prefix of their own (removed afterwards)."""
    server_url, redis_url = require_postgres(), require_redis()
    prefix = f"tabik_fuzz_{uuid.uuid4().hex[:8]}:"
    databases = database_of_our_own(server_url)
    database_url = next(databases)
    shared = {
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        # One session key for both consoles: a shared database refuses to start without.
        "CONSOLE_SECRET_KEY": f"e2e-console-key-{uuid.uuid4().hex}",
        **whatsapp_env,
    }
    workdir = tmp_path_factory.mktemp("tabik-fuzz-two")
    servers = [TabikServer(workdir / name, env_overrides=shared) for name in ("a", "b")]
    try:
        first = threading.Thread(target=servers[0].start, args=(START_TIMEOUT,), daemon=True)
        first.start()
        # The second starts once the first has migrated the database (no racing DDL).
        wait_for_log(servers[0], "Loading model", timeout=START_TIMEOUT)
        servers[1].start(START_TIMEOUT)
        first.join(START_TIMEOUT)
        assert servers[0].get("/status")[0] == 200, servers[0].tail_log()
        yield servers
    finally:
        for server in servers:
            server.stop_if_running()
        asyncio.run(forget_keys(redis_url, prefix))
        next(databases, None)


def test_fuzzed_signed_deliveries_to_two_instances_on_postgresql_get_no_5xx(
    instances: list[TabikServer],
) -> None:
    http = urllib3.PoolManager(retries=False, timeout=30, maxsize=4)
    turn = itertools.count()
    statuses: Counter[int] = Counter()
    failures: list[tuple[int, bytes]] = []

    @settings(FUZZ, max_examples=PAYLOADS)
    @seed(SEED)
    @given(payload=wa_payloads)
    def deliver(payload: Any) -> None:
        body = json.dumps(payload).encode()
        server = instances[next(turn) % 2]
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": fake_whatsapp.signature(body),
        }
        status = int(http.request("POST", server.url + WA_HOOK, body=body, headers=headers).status)
        statuses[status] += 1
        if status >= 500:
            failures.append((status, body[:300]))

    deliver()

    assert sum(statuses.values()) >= PAYLOADS
    assert failures == [], (failures[:5], logs(instances))
    assert statuses[200] > PAYLOADS // 2, statuses  # most were read (or dropped), not refused
