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
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from bot.config import get_settings
from bot.domain.privacy import install_log_masking
from bot.services.escalation import Escalation

# Named, not __name__: run with ``-m`` this module is ``__main__``.
logger = logging.getLogger("bot.workers.escalation")


async def run(escalation: Escalation, stop: asyncio.Event, *, interval: float) -> int:
    """Passes until ``stop`` is set; how many passes ran (for tests)."""
    logger.info("escalation worker started (every %.0f s)", interval)
    passes = 0
    while not stop.is_set():
        try:
            escalated = await asyncio.to_thread(escalation.run)
        except Exception:  # logged; the next pass tries again
            logger.exception("escalation pass failed; next try in %.0f s", interval)
        else:
            if escalated:
                logger.info("escalation pass: %d ticket(s) escalated", len(escalated))
        passes += 1
        with contextlib.suppress(asyncio.TimeoutError):
            # Waiting is the point here: the timeout ends the pause between passes.
            await asyncio.wait_for(stop.wait(), interval)
    logger.info("escalation worker stopped")
    return passes


async def serve(interval: float) -> None:
    from bot.bootstrap import build_escalation

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
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
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    asyncio.run(serve(minutes * 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
