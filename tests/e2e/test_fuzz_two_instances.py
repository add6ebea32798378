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

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3
from hypothesis import given, seed, settings

from tests.auxil import fake_whatsapp
from tests.auxil.tabik_server import TabikServer
from tests.channels.test_fuzz_webhooks import FUZZ, SEED, wa_payloads
from tests.e2e.test_two_instances_serve import WA_HOOK, logs, two_instances

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

PAYLOADS = 2_000
# Two models loading at once on a busy machine may take longer than one start's default.
START_TIMEOUT = 900.0


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, whatsapp_env: dict[str, str]
) -> Iterator[list[TabikServer]]:
    workdir = tmp_path_factory.mktemp("tabik-fuzz-two")
    with two_instances(
        workdir, whatsapp_env, tag="tabik_fuzz", start_timeout=START_TIMEOUT
    ) as servers:
        yield servers


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
