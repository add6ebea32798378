"""Benchmark: staff and public figures over 100,000 synthetic tickets.

First the domain functions over records in memory (``staff_figures``, the province
over the whole range; ``public_figures``, one month); then the console's endpoints
over a database holding the same tickets: ``/api/stats`` (an admin, the default
twelve weeks) and ``/statistik`` (one month), through the app (aiohttp's test
client), on SQLite and, when it is reachable, PostgreSQL. Each is timed five times;
the median is printed in milliseconds.

    .venv/bin/python scripts/bench_figures.py --records 100000
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.domain.figures import TicketRecord, public_figures, staff_figures
from bot.domain.staff import Role
from console.main import init_app
from console.parts import ConsoleParts
from console.settings import ConsoleSettings
from tests.auxil.figure_tickets import insert_records
from tests.auxil.figures import synthetic_records
from tests.auxil.services import postgres_schema, postgres_url
from tests.auxil.staff import PASSWORD, Clock, FakeConversations, FakeMessenger, build

NOW = datetime(2026, 12, 8, tzinfo=timezone.utc)
TARGET_MS = 300


def median_ms(run: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def amedian_ms(run: Callable[[], Awaitable[object]], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def in_memory(records: list[TicketRecord], repeat: int) -> None:
    def staff() -> object:
        return staff_figures(records, since=date(2026, 9, 1), until=date(2026, 12, 7), now=NOW)

    def public() -> object:
        return public_figures(records, "2026-10", now=NOW)

    print(f"staff_figures:  median of {repeat}: {median_ms(staff, repeat):.1f} ms")
    print(f"public_figures: median of {repeat}: {median_ms(public, repeat):.1f} ms")


async def through_the_app(name: str, url: str, records: list[TicketRecord], repeat: int) -> None:
    staff = build(
        url, clock=Clock(NOW), messenger=FakeMessenger(), conversations=FakeConversations()
    )
    started = time.perf_counter()
    insert_records(staff.engine, records)
    if staff.engine.dialect.name == "postgresql":
        with staff.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(f"{name}: inserted {len(records):,} tickets in {time.perf_counter() - started:.1f} s")
    await staff.accounts.add("admin", role=Role.ADMIN, password=PASSWORD)
    token = await staff.accounts.issue_token("admin")
    secret = secrets.token_urlsafe(16)
    settings = ConsoleSettings(port=0, secret_key=secret, media_dir=Path(tempfile.mkdtemp()))
    client = TestClient(TestServer(init_app(ConsoleParts(staff, settings))))
    await client.start_server()
    try:
        headers = {"Authorization": f"Bearer {token}"}

        async def stats() -> None:
            response = await client.get("/api/stats", headers=headers)
            assert response.status == 200, await response.text()
            await response.read()

        async def page() -> None:
            response = await client.get("/statistik?month=2026-10")
            assert response.status == 200, await response.text()
            await response.read()

        for label, run in (("/api/stats", stats), ("/statistik", page)):
            await run()  # warm: templates compiled, connections open
            took = await amedian_ms(run, repeat)
            verdict = "ok" if took < TARGET_MS else f"over {TARGET_MS} ms"
            print(f"{name} {label}: median of {repeat}: {took:.0f} ms ({verdict})")
    finally:
        await client.close()


def postgres_reachable() -> bool:
    try:
        engine = make_engine(postgres_url())
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-database", action="store_true", help="in memory only")
    args = parser.parse_args()

    started = time.perf_counter()
    records = list(synthetic_records(args.records))
    print(f"built {len(records):,} records in {(time.perf_counter() - started) * 1000:.0f} ms")
    in_memory(records, args.repeat)
    if args.no_database:
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        migrate.upgrade(url)
        asyncio.run(through_the_app("SQLite", url, records, args.repeat))
    if postgres_reachable():
        with postgres_schema("tabik_bench") as url:
            asyncio.run(through_the_app("PostgreSQL", url, records, args.repeat))
    else:
        print("PostgreSQL not reachable: its timings were NOT taken")


if __name__ == "__main__":
    main()
