"""Command line for operators: migrations and (until the officers' channel exists) tickets.

    python -m bot.cli db upgrade [REV]        # the launcher runs this before the servers
    python -m bot.cli db downgrade [REV]      # default: one step down
    python -m bot.cli db current
    python -m bot.cli ticket show NUMBER
    python -m bot.cli ticket set-status NUMBER STATUS --actor A [--note N]

Exit status: 0 done, 1 refused (unknown ticket, transition not allowed, …), 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from bot.bootstrap import build_services
from bot.config import get_settings
from bot.db import migrate
from bot.domain import TicketStatus
from bot.errors import InvalidTicketNumber, TabikError
from bot.kv import MemoryStore
from bot.services import WIB, StatusView, Tabik


def _when(at: datetime) -> str:
    return f"{at.astimezone(WIB):%Y-%m-%d %H:%M} WIB"


def print_view(view: StatusView, out: TextIO) -> None:
    """Plain text for an officer; personal data already masked by the service."""
    lines = [
        f"Nomor tiket / ticket : {view.number}",
        f"Jenis / kind         : {view.kind.value} ({view.subject})",
        f"Status               : {view.status.value} sejak/since {_when(view.status_at)}",
        f"Dibuat / filed       : {_when(view.created_at)}",
    ]
    if view.note:
        lines.append(f"Catatan / note       : {view.note}")
    if view.details is not None:
        d = view.details
        place = ", ".join(p for p in (d.desa, d.kecamatan, d.kabupaten_kota) if p)
        lines += [
            f"Wilayah / area       : {place or '-'}",
            f"Lokasi / location    : {d.location_text or '-'}",
            f"Uraian / description : {d.description or '-'}",
            f"Nama / name          : {d.full_name or '-'}",
            f"NIK                  : {d.nik_masked or '-'}",
            f"Telepon / phone      : {d.phone_masked or '-'}",
            f"Lampiran / files     : {d.attachments}",
        ]
    if view.history:
        lines.append("Riwayat / history:")
        for change in view.history:
            step = f"{change.from_status.value} → " if change.from_status else ""
            note = f" — {change.note}" if change.note else ""
            lines.append(f"  {_when(change.at)}  {step}{change.to_status.value}{note}")
    out.write("\n".join(lines) + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description="Tabik operator tools")
    commands = parser.add_subparsers(dest="area", required=True)

    db = commands.add_parser("db", help="database migrations").add_subparsers(
        dest="command", required=True
    )
    up = db.add_parser("upgrade", help="migrate up (default: to the newest revision)")
    up.add_argument("revision", nargs="?", default="head")
    down = db.add_parser("downgrade", help="migrate down (default: one step; 'base' = empty)")
    down.add_argument("revision", nargs="?", default="-1")
    db.add_parser("current", help="show the database's revision")

    ticket = commands.add_parser("ticket", help="tickets (officer tooling)").add_subparsers(
        dest="command", required=True
    )
    show = ticket.add_parser("show", help="show a ticket with its history")
    show.add_argument("number")
    set_status = ticket.add_parser("set-status", help="change a ticket's status")
    set_status.add_argument("number")
    set_status.add_argument("status", choices=[s.value for s in TicketStatus])
    set_status.add_argument("--actor", required=True, help="who changes it (officer id/name)")
    set_status.add_argument("--note", help="reason or remark; required for ditolak")
    return parser


async def _ticket_command(svc: Tabik, args: argparse.Namespace, out: TextIO) -> None:
    if args.command == "show":
        view = await svc.ticket_record(args.number)
    else:
        view = await svc.change_status(
            args.number, to=TicketStatus(args.status), actor=args.actor, note=args.note
        )
        out.write(f"Status diubah / status changed: {view.number} → {view.status.value}\n")
    print_view(view, out)


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    try:
        if args.area == "db":
            if args.command == "upgrade":
                migrate.upgrade(settings.database_url, args.revision)
            elif args.command == "downgrade":
                migrate.downgrade(settings.database_url, args.revision)
            revision = migrate.current_revision(settings.database_url)
            out.write(f"Revisi basis data / database revision: {revision or 'kosong/empty'}\n")
            return 0
        # The CLI is one short process: an in-process store is enough for it.
        svc, engine = build_services(settings, store=MemoryStore(), extensions=False)
        try:
            asyncio.run(_ticket_command(svc, args, out))
        finally:
            engine.dispose()
        return 0
    except (TabikError, InvalidTicketNumber) as error:
        sys.stderr.write(f"Gagal / failed: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
