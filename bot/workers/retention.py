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
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from bot.config import get_settings
from bot.domain.privacy import install_log_masking
from bot.services.privacy import PersonalData

# Named, not __name__: run with ``-m`` this module is ``__main__``.
logger = logging.getLogger("bot.workers.retention")


async def run(personal: PersonalData, stop: asyncio.Event, *, interval: float) -> int:
    """Passes until ``stop`` is set; how many passes ran (for tests)."""
    logger.info("retention worker started (every %.0f s)", interval)
    passes = 0
    while not stop.is_set():
        try:
            counts = await personal.retention()
        except Exception:  # logged; the next pass tries again
            logger.exception("retention pass failed; next try in %.0f s", interval)
        else:
            if any(value > 0 for value in counts.values()):
                logger.info("retention pass removed: %s", counts)
        passes += 1
        with contextlib.suppress(asyncio.TimeoutError):
            # Waiting is the point here: the timeout ends the pause between passes.
            await asyncio.wait_for(stop.wait(), interval)
    logger.info("retention worker stopped")
    return passes


async def serve(interval: float) -> None:
    from bot.bootstrap import build_personal_data, close_personal_data

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
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
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    asyncio.run(serve(interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
