"""``sla escalate``: escalate every overdue ticket now.

    python -m bot.cli sla escalate [--dry-run]

Prints each escalation (number, from → to) and the total. ``--dry-run`` shows what
would be escalated and writes nothing. The worker in ``make serve`` does the same
every ``SLA_ESCALATE_MINUTES``.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from bot.bootstrap import build_escalation
from bot.cli import add_area


def register(commands: Any) -> None:
    sub = add_area(commands, "sla", run, help="service levels: escalation of overdue tickets")
    escalate = sub.add_parser("escalate", help="escalate every overdue ticket one level up")
    escalate.add_argument("--dry-run", action="store_true", help="show, write nothing")


def run(args: argparse.Namespace, out: TextIO) -> int:
    escalation, engine = build_escalation()
    try:
        done = escalation.run(dry_run=args.dry_run)
    finally:
        engine.dispose()
    for item in done:
        out.write(f"{item.number}  {item.from_agency} → {item.to_agency}\n")
    verb = "akan dieskalasi / would be escalated" if args.dry_run else "dieskalasi / escalated"
    out.write(f"{len(done)} tiket {verb}.\n")
    return 0
