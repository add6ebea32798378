"""What Tabik's periodic workers share: a pass every ``interval`` seconds until stopped,
stopped by SIGTERM/SIGINT once the pass in flight is done, logs with personal data masked.

A failed pass (database down…) is logged and tried again next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from bot.domain.privacy import install_log_masking

Pass = Callable[[], Awaitable[str | None]]  # one pass; what to log of it, if anything


async def every(interval: float, stop: asyncio.Event, one_pass: Pass, *, name: str) -> int:
    """Passes until ``stop`` is set; how many passes ran (for tests)."""
    logger = logging.getLogger(f"bot.workers.{name}")
    logger.info("%s worker started (every %.0f s)", name, interval)
    passes = 0
    while not stop.is_set():
        try:
            said = await one_pass()
        except Exception:  # logged; the next pass tries again
            logger.exception("%s pass failed; next try in %.0f s", name, interval)
        else:
            if said:
                logger.info("%s pass: %s", name, said)
        passes += 1
        with contextlib.suppress(asyncio.TimeoutError):
            # Waiting is the point here: the timeout ends the pause between passes.
            await asyncio.wait_for(stop.wait(), interval)
    logger.info("%s worker stopped", name)
    return passes


def stopped_by_signals() -> asyncio.Event:
    """An event SIGTERM and SIGINT set (call inside the running loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


def start_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
