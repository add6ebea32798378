"""``agency list|add|rule``: the agencies and the admins' routing rules.

python -m bot.cli agency list [--json]
python -m bot.cli agency add CODE --name NAME --level LEVEL [--kabupaten NAME]
python -m bot.cli agency rule TICKET AGENCY_KIND_OR_CODE [--kabupaten NAME]

TICKET is a complaint category or a document type (``sampah``, ``ktp``). Changes are
audited with the actor ``cli``; a refused one exits 1 and says why.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any, TextIO

from bot.bootstrap import for_cli
from bot.cli import add_area
from bot.config import get_settings
from bot.domain.agencies import AgencyLevel
from bot.services.agencies import Agencies, AgencyDirectory

ACTOR = "cli"


def register(commands: Any) -> None:
    sub = add_area(commands, "agency", run, help="agencies (instansi) and routing rules")
    listing = sub.add_parser("list", help="every agency: code, name, level, area, handles")
    listing.add_argument("--json", action="store_true", help="as a JSON list")
    add = sub.add_parser("add", help="add an agency, or rename one of the catalogue's")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--level", required=True, choices=[lv.value for lv in AgencyLevel])
    add.add_argument("--kabupaten", help="kabupaten/kota (official name)")
    rule = sub.add_parser("rule", help="send a category's or document type's tickets elsewhere")
    rule.add_argument("ticket", help="a complaint category or document type (sampah, ktp)")
    rule.add_argument("target", help="a kind of agency (DLH, DESA) or one agency's code")
    rule.add_argument("--kabupaten", help="only the tickets of this kabupaten/kota")


async def _command(agencies: Agencies, args: argparse.Namespace, out: TextIO) -> None:
    if args.command == "list":
        _, found = await agencies.search()
        if args.json:
            out.write(json.dumps(found, ensure_ascii=False) + "\n")
        else:
            for agency in found:
                area = agency["kabupaten_kota"] or "-"
                out.write(f"{agency['code']}\t{agency['level']}\t{area}\t{agency['name']}\n")
    elif args.command == "add":
        agency = await agencies.add(
            args.code,
            name=args.name,
            level=args.level,
            kabupaten_kota=args.kabupaten,
            actor=ACTOR,
        )
        out.write(f"Instansi disimpan / agency saved: {agency['code']} {agency['name']}\n")
    else:
        rule = await agencies.add_rule(
            args.ticket, args.target, kabupaten_kota=args.kabupaten, actor=ACTOR
        )
        scope = f" ({rule['kabupaten_kota']})" if rule["kabupaten_kota"] else ""
        out.write(f"Aturan disimpan / rule saved: {rule['ticket']}{scope} → {rule['target']}\n")


def run(args: argparse.Namespace, out: TextIO) -> int:
    parts = for_cli(get_settings())
    try:
        agencies = Agencies(parts.uow_factory(), directory=AgencyDirectory())
        asyncio.run(_command(agencies, args, out))
    finally:
        parts.close()
    return 0
