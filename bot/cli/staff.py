"""``staff add|token|revoke``: console accounts from the command line.

python -m bot.cli staff add USERNAME --role ROLE [--kabupaten K] [--kecamatan C]
                             [--desa D] [--name "FULL NAME"] [--agency CODE]
                             (password: one line on stdin; --agency only with --role officer)
python -m bot.cli staff token USERNAME      prints a new bearer token for the JSON API
python -m bot.cli staff revoke USERNAME     ends the account's sessions and tokens
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from bot.bootstrap import for_cli
from bot.cli import add_area
from bot.config import get_settings
from bot.domain.staff import InvalidStaffAccount, Role
from bot.services.staff import StaffAccounts


def register(commands: Any) -> None:
    sub = add_area(commands, "staff", run, help="staff console accounts")
    add = sub.add_parser("add", help="create an account (password read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--kabupaten", help="kabupaten/kota (official name)")
    add.add_argument("--kecamatan")
    add.add_argument("--desa")
    add.add_argument("--name", help="full name shown in the console")
    add.add_argument("--agency", help="an officer's agency code (DLH-1871): sees its tickets")
    token = sub.add_parser("token", help="print a new bearer token for the JSON API")
    token.add_argument("username")
    revoke = sub.add_parser("revoke", help="end the account's sessions and tokens")
    revoke.add_argument("username")


async def _command(accounts: StaffAccounts, args: argparse.Namespace, out: TextIO) -> None:
    if args.command == "add":
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidStaffAccount("password", "give it as one line on standard input")
        account = await accounts.add(
            args.username,
            role=args.role,
            password=password,
            full_name=args.name,
            kabupaten_kota=args.kabupaten,
            kecamatan=args.kecamatan,
            desa=args.desa,
            agency_code=args.agency,
        )
        where = account.agency_code or account.area.label()
        out.write(
            f"Akun dibuat / account created: {account.username} ({account.role.value}, {where})\n"
        )
    elif args.command == "token":
        out.write(await accounts.issue_token(args.username) + "\n")
    else:
        revoked = await accounts.revoke(args.username)
        out.write(f"Sesi dan token dicabut / sessions and tokens revoked ({revoked} token)\n")


def run(args: argparse.Namespace, out: TextIO) -> int:
    parts = for_cli(get_settings())
    try:
        asyncio.run(_command(StaffAccounts(parts.uow_factory()), args, out))
    finally:
        parts.close()
    return 0
