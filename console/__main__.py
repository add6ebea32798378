"""``python -m console``: the staff console on CONSOLE_PORT (default 5080)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.bootstrap import build_staff_services
from bot.config import get_settings
from bot.domain.privacy import install_log_masking
from console.app import create_app
from console.settings import ConsoleSettings


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s - %(message)s"
    )
    install_log_masking()
    settings = get_settings()
    console = ConsoleSettings.from_env()
    app = create_app(build_staff_services(settings, media_dir=console.media_dir), console)
    web.run_app(app, port=console.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
