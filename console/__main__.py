"""``python -m console``: the staff console on CONSOLE_PORT (default 5080)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.bootstrap import build_staff_services
from bot.config import get_settings
from bot.domain.privacy import install_log_masking
from bot.workers.direct_messages import DirectSender
from console.app import create_app
from console.settings import ConsoleSettings


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    settings = get_settings()
    console = ConsoleSettings.from_env()
    # Staff messages go out at once through the channels' outputs.
    direct = DirectSender(settings)
    staff = build_staff_services(settings, messenger=direct, media_dir=console.media_dir)
    staff.closers.append(direct.close)
    app = create_app(staff, console)
    web.run_app(app, port=console.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
