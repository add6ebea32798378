"""Benchmark: the longest wait a client sees while a model is swapped in.

Starts ``rasa run --enable-api`` (with the model-swap channel) on loopback with
``--model``, sends ``--rate`` requests a second (``/model/parse`` and the REST
webhook, alternating), swaps to ``--to`` (default: the same file, a full load
all the same) through the zero-downtime endpoint, and reports failures and the
longest wait. ``--rasa-put`` also measures Rasa's own ``PUT /model`` for contrast.

    .venv/bin/python scripts/bench_deploy.py --model models/tabik-XXXX.tar.gz
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.rasa_instances import RasaInstance
from bot.entrypoints.training import model_path
from tests.auxil.tabik_server import free_port
from tests.auxil.traffic import RasaServer, Traffic

TOKEN = "bench-token"  # noqa: S105 - a local benchmark's own token


def summary(name: str, traffic: Traffic, started: float, seconds: float) -> str:
    waits = sorted(traffic.waits)
    median = statistics.median(waits) if waits else 0.0
    at, _ = max(traffic.timeline, key=lambda item: item[1], default=(started, 0.0))
    return (
        f"{name:<16} swap {seconds:6.1f} s  requests {len(waits):4d}  failures"
        f" {len(traffic.failures):3d}  median {median * 1000:7.1f} ms  longest"
        f" {traffic.longest_wait * 1000:7.1f} ms (sent {at - started:+.1f} s after the swap began)"
    )


def rasa_put(url: str, model: Path) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{url}/model?token={TOKEN}",
        data=json.dumps({"model_file": str(model.resolve())}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310
        answer.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=model_path())
    parser.add_argument("--to", type=Path, help="the model swapped in (default: --model)")
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--settle", type=float, default=12.0, help="traffic before/after, s")
    parser.add_argument("--baseline", type=float, default=0.0, help="first, traffic alone, s")
    parser.add_argument("--rasa-put", action="store_true", help="also time Rasa's PUT /model")
    args = parser.parse_args()
    target = args.to or args.model
    workdir = Path(tempfile.mkdtemp(prefix="tabik-bench-deploy-"))
    server = RasaServer(args.model, workdir, free_port(), TOKEN)
    print(f"starting Rasa with {args.model.name} ...", flush=True)
    server.start(timeout=600)
    failed = False
    try:
        instance = RasaInstance(server.url, TOKEN)
        if args.baseline:
            # The same traffic with no swap: what the host's own load costs.
            with Traffic(server.url, TOKEN, rate=args.rate) as traffic:
                started = time.monotonic()
                time.sleep(args.baseline)
            print(summary("no swap", traffic, started, args.baseline))
        with Traffic(server.url, TOKEN, rate=args.rate) as traffic:
            time.sleep(args.settle)
            started = time.monotonic()
            instance.load(target)
            seconds = time.monotonic() - started
            time.sleep(args.settle)
        print(summary("zero-downtime", traffic, started, seconds))
        slow = [(at - started, wait) for at, wait in traffic.timeline if wait > 0.5]
        print("  waits over 0.5 s (sent at, wait):", [f"{a:+.1f}s {w:.2f}s" for a, w in slow])
        failed = bool(traffic.failures) or traffic.longest_wait > 1.0
        for failure in traffic.failures[:5]:
            print(f"  {failure}")
        if args.rasa_put:
            with Traffic(server.url, TOKEN, rate=args.rate) as traffic:
                time.sleep(args.settle)
                started = time.monotonic()
                rasa_put(server.url, target)
                seconds = time.monotonic() - started
                time.sleep(args.settle)
            print(summary("rasa PUT /model", traffic, started, seconds))
    finally:
        server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
