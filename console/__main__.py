"""``python -m console``: the staff console on CONSOLE_PORT (default 5080)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.bootstrap import build_outbox, build_staff_services
from bot.config import get_settings
from bot.domain.privacy import install_log_masking
from console.app import create_app
from console.settings import ConsoleSettings


def _disposer(engine: Engine) -> Callable[[], Awaitable[None]]:
    async def dispose() -> None:
        engine.dispose()

    return dispose


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    settings = get_settings()
    console = ConsoleSettings.from_env()
    # Staff messages go into the outbox; the channels' senders in Rasa deliver them.
    outbox, outbox_engine = build_outbox(settings)
    staff = build_staff_services(settings, messenger=outbox, media_dir=console.media_dir)
    staff.closers.append(_disposer(outbox_engine))
    app = create_app(staff, console)
    web.run_app(app, port=console.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
