"""``ticket show|set-status``: tickets from the command line.

python -m bot.cli ticket show NUMBER
python -m bot.cli ticket set-status NUMBER STATUS --actor A [--note N]
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from typing import Any, TextIO

from bot.bootstrap import for_cli
from bot.cli import add_area
from bot.config import get_settings
from bot.domain.model import TicketStatus
from bot.domain.office_hours import WIB
from bot.services.tabik import Tabik
from bot.services.views import StatusView


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


def register(commands: Any) -> None:
    sub = add_area(commands, "ticket", run, help="tickets (officer tooling)")
    show = sub.add_parser("show", help="show a ticket with its history")
    show.add_argument("number")
    set_status = sub.add_parser("set-status", help="change a ticket's status")
    set_status.add_argument("number")
    set_status.add_argument("status", choices=[s.value for s in TicketStatus])
    set_status.add_argument("--actor", required=True, help="who changes it (officer id/name)")
    set_status.add_argument("--note", help="reason or remark; required for ditolak")


async def _ticket_command(svc: Tabik, args: argparse.Namespace, out: TextIO) -> None:
    if args.command == "show":
        view = await svc.ticket_record(args.number)
    else:
        view = await svc.change_status(
            args.number, to=TicketStatus(args.status), actor=args.actor, note=args.note
        )
        out.write(f"Status diubah / status changed: {view.number} → {view.status.value}\n")
    print_view(view, out)


def run(args: argparse.Namespace, out: TextIO) -> int:
    parts = for_cli(get_settings())
    try:
        asyncio.run(_ticket_command(parts.ticket_services(), args, out))
    finally:
        parts.close()
    return 0
