"""``retention run`` and ``resident erase``: personal data that ends (docs/privacy.md).

    python -m bot.cli retention run [--dry-run]
    python -m bot.cli resident erase (--phone P | --nik N)

``retention run`` removes what is past its ``RETENTION_*`` period (the worker in
``make serve`` does so every ``RETENTION_INTERVAL`` seconds) and prints how much of
each kind went; ``--dry-run`` prints what would go and removes nothing. ``resident
erase`` removes one resident's personal data everywhere it is kept; their tickets stay
as numbers, kinds, categories, places, statuses and dates for the figures. Exit 1 when
no record knows the phone or NIK.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import Any, TextIO

from bot.bootstrap import build_personal_data, close_personal_data
from bot.cli import add_area

# What each count is, as an operator reads it (the keys are PersonalData's).
LABELS = {
    "received_messages": "pesan masuk / received messages",
    "sent_messages": "pesan keluar / sent messages",
    "handoffs": "percakapan petugas / handoffs (transcripts)",
    "tickets_stripped": "tiket dibersihkan / tickets stripped of personal data",
    "audit_notes": "catatan di log audit / notes in the audit log",
    "photos": "lampiran foto / photo attachments",
    "photo_files": "berkas foto / photo files",
    "nlu_inbox_items": "kotak NLU / NLU inbox items",
    "residents": "data warga / residents",
    "chat_accounts": "akun chat / chat accounts",
    "conversation_events": "percakapan tersimpan / stored conversation events",
}


def register(commands: Any) -> None:
    retention = add_area(commands, "retention", run_retention, help="personal data past its period")
    run = retention.add_parser("run", help="remove what is past its retention period")
    run.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    resident = add_area(commands, "resident", run_resident, help="one resident's personal data")
    erase = resident.add_parser("erase", help="remove a resident's personal data everywhere")
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--phone", help="the phone number (0812…, 62812… or +62 812…)")
    who.add_argument("--nik", help="the 16-digit NIK")


def _lines(counts: dict[str, int], out: TextIO) -> None:
    for key, count in counts.items():
        out.write(f"{LABELS.get(key, key)}: {count}\n")


def run_retention(args: argparse.Namespace, out: TextIO) -> int:
    personal = build_personal_data()
    try:
        counts = asyncio.run(personal.retention(dry_run=args.dry_run))
    finally:
        close_personal_data(personal)
    out.write(
        "Akan dihapus (uji coba, tidak ada yang dihapus) / would remove (dry run):\n"
        if args.dry_run
        else "Dihapus / removed:\n"
    )
    _lines(counts, out)
    return 0


def run_resident(args: argparse.Namespace, out: TextIO) -> int:
    personal = build_personal_data()
    try:
        erasure = asyncio.run(
            personal.erase(actor=f"cli:{getpass.getuser()}", nik=args.nik, phone=args.phone)
        )
    finally:
        close_personal_data(personal)
    out.write("Data pribadi warga dihapus / the resident's personal data was removed:\n")
    _lines(erasure.removed, out)
    kept = ", ".join(erasure.tickets) or "-"
    out.write(f"Tiket tetap dihitung dalam statistik / tickets kept for the figures: {kept}\n")
    return 0
