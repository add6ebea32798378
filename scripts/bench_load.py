"""Load benchmark: residents writing over signed WhatsApp webhooks, replies on a fake Graph API.

N residents each send M messages back to back (a "bom chat"), all residents
at once. Every message asks for the status of a ticket number made for it, so
its reply names it: that tells which message each reply answers. Printed:
messages/s, webhook→reply latency (p50/p95/p99), and the messages lost (no
reply), duplicated (answered twice) and answered out of order. Then, on the
idle server, where a turn's time goes: NLU (``/model/parse``), the whole turn
without sending (REST channel), and inside it policies and the action server
(from the tracker's event times).

Either starts Tabik itself (``make serve`` via tests/auxil/tabik_server.py,
with the current model; ``--instances 2`` needs ``--database-url`` and
``--redis-url`` so the instances share state) or drives running ones
(``--rasa-url``, repeatable; they must send to this script's fake Graph API,
``--graph-port``). Loopback only; bounded by ``--timeout``.

    .venv/bin/python scripts/bench_load.py --residents 50 --messages 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.tickets import ALPHABET
from tests.auxil import fake_whatsapp
from tests.auxil.lookups import MAX_LOOKUPS, new_run, ticket_for
from tests.auxil.tabik_server import TabikServer, free_port

HOOK = "/webhooks/whatsapp/webhook"
TICKET = re.compile(rf"ADU-\d{{6}}-[{ALPHABET}]{{4,8}}")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_MESSAGES = MAX_LOOKUPS


@dataclass
class Sent:
    resident: int
    index: int
    ticket: str
    at: float
    instance: int
    replies: list[float] = field(default_factory=list)


class ReplyLog:
    """The fake Graph API, timestamping every message Tabik sends."""

    def __init__(self) -> None:
        self.graph = fake_whatsapp.FakeGraphApi()
        self.by_ticket: dict[str, list[float]] = {}
        self.order: dict[str, list[str]] = {}  # wa_id -> tickets in the order answered
        self.total = 0
        self._changed = asyncio.Event()

    async def wait_for(self, tickets: set[str], deadline: float) -> None:
        """Until every ticket got a reply, or the deadline."""
        while not tickets <= self.by_ticket.keys():
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                return

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/{fake_whatsapp.API_VERSION}/{{pnid}}/messages", self._messages)
        return app

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        answer = await self.graph._messages(request)
        self.total += 1
        body = self.graph.sent[-1] if answer.status == 200 and self.graph.sent else {}
        text = json.dumps(body, ensure_ascii=False)
        for ticket in set(TICKET.findall(text)):
            self.by_ticket.setdefault(ticket, []).append(arrived)
            self.order.setdefault(str(body.get("to")), []).append(ticket)
        self._changed.set()
        return answer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def resident(
    session: aiohttp.ClientSession,
    urls: list[str],
    wa_id: str,
    number: int,
    messages: int,
    run: str,
    gap: float,
) -> list[Sent]:
    sent = []
    for index in range(messages):
        ticket = ticket_for(run, number, index)
        # Unique ids: a shared Redis de-duplicates by message id across runs.
        message = fake_whatsapp.text(
            f"cek status tiket {ticket}", wa_id, message_id=f"wamid.BENCH-{run}-{number}-{index}"
        )
        payload = fake_whatsapp.delivery(message)
        body, headers = fake_whatsapp.signed(payload)
        instance = (number + index) % len(urls)  # consecutive messages alternate instances
        started = time.monotonic()
        async with session.post(urls[instance] + HOOK, data=body, headers=headers) as answer:
            if answer.status != 200:
                raise RuntimeError(f"webhook answered {answer.status}: {await answer.text()}")
        sent.append(Sent(number, index, ticket, started, instance))
        if gap:
            await asyncio.sleep(gap)
    return sent


async def play(args: argparse.Namespace, urls: list[str], log: ReplyLog) -> dict[str, Any]:
    run = args.run
    wa_ids = [f"628{random.randint(10**9, 10**10 - 1)}" for _ in range(args.residents)]
    deadline = time.monotonic() + args.timeout
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        started = time.monotonic()
        batches = await asyncio.gather(
            *(
                resident(session, urls, wa_id, n, args.messages, run, args.gap)
                for n, wa_id in enumerate(wa_ids)
            )
        )
        acked = time.monotonic()
        sent = [s for batch in batches for s in batch]
        await log.wait_for({s.ticket for s in sent}, deadline)
        await asyncio.sleep(min(2.0, max(0.0, deadline - time.monotonic())))  # late duplicates
    for s in sent:
        s.replies = log.by_ticket.get(s.ticket, [])
    answered = [s for s in sent if s.replies]
    latencies = [s.replies[0] - s.at for s in answered]
    finished = max((s.replies[0] for s in answered), default=acked)
    out_of_order = 0
    for n, wa_id in enumerate(wa_ids):
        rank = {ticket_for(run, n, i): i for i in range(args.messages)}
        seen = -1
        for ticket in dict.fromkeys(log.order.get(wa_id, [])):  # first reply of each
            if rank.get(ticket, seen) < seen:
                out_of_order += 1
            seen = max(seen, rank.get(ticket, seen))
    return {
        "residents": args.residents,
        "messages": len(sent),
        "instances": len(urls),
        "acknowledged_in_s": round(acked - started, 2),
        "messages_per_s": round(len(answered) / max(1e-9, finished - started), 2),
        "latency_ms": {
            name: round(percentile(latencies, q) * 1000) if latencies else None
            for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "lost": len(sent) - len(answered),
        "duplicated": sum(1 for s in sent if len(s.replies) > 1),
        "out_of_order": out_of_order,
        "graph_api_messages": log.total,
    }


async def where_time_goes(url: str, samples: int, run: str, token: str) -> dict[str, Any]:
    """On the idle server: NLU alone, a whole REST turn, and the tracker's event times.

    Needs the REST channel (``TABIK_ENABLE_REST``) and ``RASA_API_TOKEN`` of the instance.
    """
    nlu, turns, policy_action, listen, reads = [], [], [], [], []
    auth = f"?token={quote(token)}" if token else ""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for n in range(samples):
            text = f"cek status tiket ADU-261128-Q{ALPHABET[n % len(ALPHABET)]}ZZ"
            started = time.monotonic()
            async with session.post(url + "/model/parse" + auth, json={"text": text}) as answer:
                answer.raise_for_status()
                await answer.read()
            nlu.append(time.monotonic() - started)
            sender = f"rest:bench-{run}-{n}"
            started = time.monotonic()
            async with session.post(
                url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}
            ) as answer:
                answer.raise_for_status()
                await answer.read()
            turns.append(time.monotonic() - started)
            started = time.monotonic()
            tracker = f"{url}/conversations/{quote(sender, safe=':')}/tracker{auth}"
            async with session.get(tracker) as t:
                t.raise_for_status()
                events = (await t.json()).get("events", [])
            reads.append(time.monotonic() - started)
            user = [e for e in events if e.get("event") == "user"][-1]
            after = user["timestamp"]
            actions = [e for e in events if e.get("event") == "action" and e["timestamp"] > after]
            if len(actions) >= 2:
                # First action event: policies + the action (run by the action server) +
                # handing replies to the output; last one (action_listen): one more prediction.
                policy_action.append(actions[0]["timestamp"] - user["timestamp"])
                listen.append(actions[-1]["timestamp"] - actions[-2]["timestamp"])

    def ms(values: list[float]) -> float | None:
        return round(statistics.median(values) * 1000, 1) if values else None

    prediction, first = ms(listen), ms(policy_action)
    return {
        "nlu_parse_ms": ms(nlu),
        "rest_turn_ms": ms(turns),
        "first_prediction_and_action_ms": first,
        "one_prediction_ms": prediction,
        # The action server call, roughly: the first step less one policy prediction.
        "action_ms_estimate": round(first - prediction, 1) if first and prediction else None,
        "tracker_read_over_http_ms": ms(reads),
    }


async def instance_metrics(urls: list[str]) -> dict[str, Any]:
    """A few of each instance's own counters (``/metrics``), summed."""
    wanted = {
        "tabik_nlu_confidence_count": "messages_with_nlu_confidence",
        "tabik_lock_wait_seconds_count": "lock_acquisitions",
        "tabik_lock_wait_seconds_sum": "lock_wait_s_total",
        "tabik_locks_lost_total": "locks_lost",
    }
    totals: dict[str, float] = dict.fromkeys(wanted.values(), 0.0)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        for url in urls:
            async with session.get(url + "/metrics") as answer:
                if answer.status != 200:
                    continue
                for line in (await answer.text()).splitlines():
                    name, _, value = line.partition(" ")
                    key = wanted.get(name.split("{")[0])
                    if key and not line.startswith("#"):
                        totals[key] += float(value)
    return {key: round(value, 3) for key, value in totals.items()}


def start_instances(args: argparse.Namespace, graph_port: int) -> list[TabikServer]:
    from bot.entrypoints.training import model_path

    model = Path(args.model) if args.model else model_path()
    if not model.exists():
        raise SystemExit(f"No model at {model}: run `make train` first (the bench never trains).")
    workdir = Path(tempfile.mkdtemp(prefix="tabik-bench-"))
    shared: dict[str, str] = {}
    if args.instances > 1 and not (args.database_url and args.redis_url):
        raise SystemExit("--instances > 1 needs --database-url and --redis-url (shared state).")
    if args.database_url:
        shared.update({"DATABASE_URL": args.database_url, "TRACKER_STORE_URL": args.database_url})
        # Instances on one database sign console sessions with one key (or refuse to start).
        shared["CONSOLE_SECRET_KEY"] = f"bench-console-key-{args.run}"
    if args.redis_url:
        # This run's own keys, so a shared Redis is left as found (forget_run).
        shared.update({"REDIS_URL": args.redis_url, "REDIS_KEY_PREFIX": f"bench{args.run}:"})
    servers = []
    for n in range(args.instances):
        env = {
            **fake_whatsapp.channel_env(graph_port),
            "TABIK_MODEL": str(model),
            # The REST channel serves the idle profile (where_time_goes).
            "TABIK_ENABLE_REST": "1",
            **shared,
        }
        server = TabikServer(workdir / f"instance{n}", env_overrides=env)
        if args.skip_venv_check:
            server.command = (sys.executable, "-m", "bot.entrypoints.launcher", "serve")
        servers.append(server)
    for server in servers:
        print(f"starting Tabik on port {server.rasa_port} (log {server.log_path}) ...", flush=True)
        server.start()
    return servers


async def forget_run(redis_url: str, needles: list[str]) -> int:
    """Delete the keys this run left in a shared Redis (its own prefix: locks, limits, …)."""
    from redis import asyncio as aioredis

    client = aioredis.from_url(redis_url, socket_timeout=5)
    deleted = 0
    try:
        for needle in needles:
            keys = [key async for key in client.scan_iter(f"{needle}*", count=1000)]
            if keys:
                deleted += await client.delete(*keys)
    finally:
        await client.close()
    return deleted


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    log = ReplyLog()
    runner = web.AppRunner(log.app())
    await runner.setup()
    graph_port = args.graph_port or free_port()
    await web.TCPSite(runner, "127.0.0.1", graph_port).start()
    servers: list[TabikServer] = []
    try:
        if args.rasa_url:
            urls = [u.rstrip("/") for u in args.rasa_url]
        else:
            servers = await asyncio.to_thread(start_instances, args, graph_port)
            urls = [s.url for s in servers]
        result = await play(args, urls, log)
        result["instance_metrics"] = await instance_metrics(urls)
        if args.profile:
            token = servers[0].api_token if servers else args.api_token
            result["where_time_goes"] = await where_time_goes(
                urls[0], args.profile, args.run, token
            )
        return result
    finally:
        for server in servers:
            await asyncio.to_thread(server.stop)
        if args.redis_url and servers:
            removed = await forget_run(args.redis_url, [f"bench{args.run}:"])
            print(f"removed {removed} Redis key(s) of this run", file=sys.stderr)
        await runner.cleanup()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument(
        "--messages", type=int, default=4, help=f"per resident, at most {MAX_MESSAGES}"
    )
    parser.add_argument(
        "--gap", type=float, default=0.0, help="seconds between one resident's messages"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="open webhook connections")
    parser.add_argument("--timeout", type=float, default=300.0, help="bound on the whole run")
    parser.add_argument("--rasa-url", action="append", help="a running instance (repeatable)")
    parser.add_argument("--graph-port", type=int, default=0, help="port of the fake Graph API")
    parser.add_argument("--instances", type=int, default=1, help="instances to start")
    parser.add_argument("--database-url", help="shared PostgreSQL for started instances")
    parser.add_argument("--redis-url", help="shared Redis for started instances")
    parser.add_argument("--model", help="model to serve (default: the current one)")
    parser.add_argument("--api-token", default="", help="RASA_API_TOKEN of --rasa-url instances")
    parser.add_argument("--profile", type=int, default=10, help="idle samples of where time goes")
    parser.add_argument(
        "--skip-venv-check",
        action="store_true",
        help="start the launcher directly instead of `make serve` (a venv shared with others)",
    )
    args = parser.parse_args(argv)
    args.run = new_run()
    if not 1 <= args.residents <= 1000 or not 1 <= args.messages <= MAX_MESSAGES:
        parser.error(f"--residents 1..1000 and --messages 1..{MAX_MESSAGES}")
    if not 1 <= args.instances <= 4 or not 0 < args.timeout <= 3600:
        parser.error("--instances 1..4 and --timeout up to 3600 s")
    for url in args.rasa_url or []:
        if urlsplit(url).hostname not in LOOPBACK:
            parser.error(f"{url}: loopback only")
    if args.rasa_url and not args.graph_port:
        parser.error("--rasa-url needs --graph-port (where those instances send replies)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(main_async(args))
    print(json.dumps(result, indent=2))
    return 0 if result["lost"] == result["duplicated"] == result["out_of_order"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
