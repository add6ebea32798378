"""``db upgrade|downgrade|current``: schema migrations (run by the launcher first)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from bot.adapters.db import migrate
from bot.cli import add_area
from bot.config import get_settings


def register(commands: Any) -> None:
    sub = add_area(commands, "db", run, help="database migrations")
    up = sub.add_parser("upgrade", help="migrate up (default: to the newest revision)")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="migrate down (default: one step; 'base' = empty)")
    down.add_argument("revision", nargs="?", default="-1")
    sub.add_parser("current", help="show the database's revision")


def run(args: argparse.Namespace, out: TextIO) -> int:
    url = get_settings().database_url
    if args.command == "upgrade":
        migrate.upgrade(url, args.revision)
    elif args.command == "downgrade":
        migrate.downgrade(url, args.revision)
    revision = migrate.current_revision(url)
    out.write(f"Revisi basis data / database revision: {revision or 'kosong/empty'}\n")
    return 0
