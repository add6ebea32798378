"""``outbox list|retry``: what Tabik could not send, and sending it again.

    python -m bot.cli outbox list [--status failed|pending|sending|sent|all] [--limit N] [--json]
    python -m bot.cli outbox retry (--all | ID [ID …])
    python -m bot.cli outbox purge [--days 8]

``list`` shows the newest rows first (recipients masked; by default the failed
ones). ``retry`` queues failed rows again, due at once; the channels' senders
in the running Tabik pick them up within a second or two. ``purge`` deletes
rows sent, and messages answered, more than ``--days`` ago (failed rows stay);
run it daily from cron. Keep ``--days`` above 7: a stored message's platform id
is what recognises the platform's redeliveries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import timedelta
from typing import Any, TextIO

from bot.bootstrap import build_outbox
from bot.cli import add_area
from bot.services.inbound import InboundQueue
from bot.services.outbox import Outbox, OutboxItem

STATUSES = ("failed", "pending", "sending", "sent")


def register(commands: Any) -> None:
    sub = add_area(commands, "outbox", run, help="messages waiting to be sent, or failed")
    listing = sub.add_parser("list", help="show outbox rows (default: the failed ones)")
    listing.add_argument("--status", choices=(*STATUSES, "all"), default="failed")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="one JSON list, for tools")
    retry = sub.add_parser("retry", help="send failed rows again")
    retry.add_argument("ids", nargs="*", type=int, help="row ids (from outbox list)")
    retry.add_argument("--all", action="store_true", help="every failed row")
    purge = sub.add_parser("purge", help="delete what was sent or answered long ago")
    purge.add_argument("--days", type=float, default=8.0)


def as_dict(item: OutboxItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "recipient": item.recipient.masked(),
        "kind": item.kind,
        "status": item.status,
        "attempts": item.attempts,
        "messages": len(item.messages),
        "created_at": item.created_at.isoformat(),
        "next_attempt_at": item.next_attempt_at.isoformat() if item.next_attempt_at else None,
        "sent_at": item.sent_at.isoformat() if item.sent_at else None,
        "last_error": item.last_error,
    }


def _line(item: OutboxItem) -> str:
    when = item.created_at.strftime("%Y-%m-%d %H:%M")
    error = f"  {item.last_error}" if item.last_error else ""
    return (
        f"{item.id:>7}  {when}  {item.status:<8} {item.kind:<12} "
        f"{item.recipient.masked():<14} tries={item.attempts}{error}"
    )


def _purge(outbox: Outbox, days: float, out: TextIO) -> int:
    if days < 7:
        out.write("--days harus 7 atau lebih / must be 7 or more (platform redeliveries).\n")
        return 2
    older_than = timedelta(days=days)
    inbound = InboundQueue(outbox.store, outbox)
    sent = asyncio.run(outbox.purge(older_than))
    answered = asyncio.run(inbound.purge(older_than))
    out.write(
        f"{sent} baris outbox, {answered} pesan masuk dihapus / "
        f"{sent} outbox row(s), {answered} inbound message(s) deleted.\n"
    )
    return 0


def run(args: argparse.Namespace, out: TextIO) -> int:
    outbox, engine = build_outbox()
    try:
        if args.command == "list":
            statuses = () if args.status == "all" else (args.status,)
            items = asyncio.run(outbox.list(statuses=statuses, limit=args.limit))
            if args.json:
                out.write(json.dumps([as_dict(i) for i in items], ensure_ascii=False) + "\n")
            elif not items:
                out.write("Tidak ada pesan / no messages.\n")
            else:
                out.write("\n".join(_line(i) for i in items) + "\n")
            return 0
        if args.command == "purge":
            return _purge(outbox, args.days, out)
        if not args.all and not args.ids:
            out.write("Sebutkan ID atau --all / give row ids or --all.\n")
            return 2
        count = asyncio.run(outbox.retry(None if args.all else args.ids))
        out.write(f"{count} pesan dikirim ulang / {count} message(s) queued again.\n")
        return 0 if count or args.all else 1
    finally:
        engine.dispose()
