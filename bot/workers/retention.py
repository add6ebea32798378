"""``python -m bot.workers.retention``: removes personal data past its retention period.

Every ``RETENTION_INTERVAL`` seconds (default an hour) one pass of
:meth:`bot.services.privacy.PersonalData.retention`, the same as ``python -m bot.cli
retention run``; the periods are the ``RETENTION_*_DAYS`` settings (docs/privacy.md).
Several instances may run it at once: a row another pass removed first is simply not
there. A failed pass (database down…) is logged and tried again next time. SIGTERM and
SIGINT stop it once the pass in flight is done. Start-up makes no outbound call.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.config import get_settings
from bot.services.privacy import PersonalData
from bot.workers.periodic import every, start_logging, stopped_by_signals


async def run(personal: PersonalData, stop: asyncio.Event, *, interval: float) -> int:
    """Passes until ``stop`` is set; how many passes ran (for tests)."""

    async def one_pass() -> str | None:
        counts = await personal.retention()
        return f"removed {counts}" if any(value > 0 for value in counts.values()) else None

    return await every(interval, stop, one_pass, name="retention")


async def serve(interval: float) -> None:
    from bot.bootstrap import build_personal_data, close_personal_data

    stop = stopped_by_signals()
    personal = build_personal_data()
    try:
        await run(personal, stop, interval=interval)
    finally:
        close_personal_data(personal)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.workers.retention", description=__doc__)
    parser.add_argument("--interval", type=float, default=None, help="RETENTION_INTERVAL")
    args = parser.parse_args(argv)
    interval = args.interval if args.interval is not None else get_settings().retention_interval
    if interval <= 0:
        parser.error("--interval must be positive")
    start_logging()
    asyncio.run(serve(interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
