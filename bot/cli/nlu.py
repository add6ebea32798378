"""``nlu inbox|label|ignore``: review the messages the bot understood poorly.

``NLU_INBOX_CONFIDENCE`` (default 0.6) is the intent confidence below which a
message enters the inbox.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from bot.bootstrap import build_nlu_inbox
from bot.cli import add_area
from bot.config import get_settings
from bot.services.nlu_inbox import NluInbox


def register(commands: Any) -> None:
    sub = add_area(commands, "nlu", run, help="the inbox of poorly understood messages")
    inbox = sub.add_parser("inbox", help="open items, newest first")
    inbox.add_argument("--json", action="store_true")
    inbox.add_argument("--limit", type=int, default=200)
    label = sub.add_parser("label", help="make an item a training example of INTENT")
    label.add_argument("id", type=int)
    label.add_argument("intent")
    ignore = sub.add_parser("ignore", help="drop an item from the inbox")
    ignore.add_argument("id", type=int)


def run(args: argparse.Namespace, out: TextIO) -> int:
    service, close = build_nlu_inbox(get_settings())
    try:
        return _run(service, args, out)
    finally:
        close()


def _run(service: NluInbox, args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "inbox":
        items = service.items(limit=args.limit)
        if args.json:
            out.write(json.dumps([i.as_json() for i in items], ensure_ascii=False, indent=2))
            out.write("\n")
            return 0
        for item in items:
            guess = f"{item.intent} {item.confidence:.2f}" if item.confidence else item.intent
            out.write(f"{item.id:>5}  x{item.count:<3} {item.reason:<14} {guess}  {item.text}\n")
        out.write(f"{len(items)} item(s)\n")
        return 0
    if args.command == "label":
        text = service.label(args.id, args.intent)
        out.write(f"Dilabeli / labelled {args.intent}: {text}\n")
        return 0
    service.ignore(args.id)
    out.write(f"Diabaikan / ignored {args.id}\n")
    return 0
