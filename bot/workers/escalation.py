"""``python -m bot.workers.escalation``: escalates overdue tickets one level up.

Every ``SLA_ESCALATE_MINUTES`` (default 15) one pass of
:meth:`bot.services.escalation.Escalation.run`, the same as ``python -m bot.cli sla
escalate``. A ticket is escalated once per service period, so a pass that finds
nothing new writes nothing. A failed pass (database down…) is logged and tried again
next time. SIGTERM and SIGINT stop it once the pass in flight is done.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.config import get_settings
from bot.services.escalation import Escalation
from bot.workers.periodic import every, start_logging, stopped_by_signals


async def run(escalation: Escalation, stop: asyncio.Event, *, interval: float) -> int:
    """Passes until ``stop`` is set; how many passes ran (for tests)."""

    async def one_pass() -> str | None:
        escalated = await asyncio.to_thread(escalation.run)
        return f"{len(escalated)} ticket(s) escalated" if escalated else None

    return await every(interval, stop, one_pass, name="escalation")


async def serve(interval: float) -> None:
    from bot.bootstrap import build_escalation

    stop = stopped_by_signals()
    escalation, engine = build_escalation()
    try:
        await run(escalation, stop, interval=interval)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.workers.escalation", description=__doc__)
    parser.add_argument("--minutes", type=float, default=None, help="SLA_ESCALATE_MINUTES")
    args = parser.parse_args(argv)
    minutes = args.minutes if args.minutes is not None else get_settings().sla_escalate_minutes
    if minutes <= 0:
        parser.error("--minutes must be positive")
    start_logging()
    asyncio.run(serve(minutes * 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
