"""Benchmark: staff and public figures over 100,000 synthetic ticket records.

Builds the records once (seeded, spread over 14 weeks), then times
``staff_figures`` (the province, the whole range) and ``public_figures`` (one
month) five times each and prints the median in milliseconds.

    .venv/bin/python scripts/bench_figures.py --records 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.figures import public_figures, staff_figures
from tests.auxil.figures import synthetic_records

NOW = datetime(2026, 12, 8, tzinfo=timezone.utc)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    records = list(synthetic_records(args.records))
    print(f"built {len(records):,} records in {(time.perf_counter() - started) * 1000:.0f} ms")

    def staff() -> object:
        return staff_figures(records, since=date(2026, 9, 1), until=date(2026, 12, 7), now=NOW)

    def public() -> object:
        return public_figures(records, "2026-10", now=NOW)

    print(f"staff_figures:  median of {args.repeat}: {median_ms(staff, args.repeat):.1f} ms")
    print(f"public_figures: median of {args.repeat}: {median_ms(public, args.repeat):.1f} ms")


if __name__ == "__main__":
    main()
