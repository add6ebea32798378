"""Command line for operators and admins: ``python -m bot.cli AREA COMMAND …``.

Each module of this package that defines ``register(commands)`` adds one area
(``db``, ``ticket``, …): ``register`` adds an argparse sub-parser with
:func:`add_area`, whose defaults carry ``run(args, out) -> int``. New areas need
no change here.

Exit status: 0 done, 1 refused (unknown ticket, transition not allowed, …), 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from bot.domain.errors import TabikError
from bot.domain.tickets import InvalidTicketNumber


def add_area(
    commands: Any, name: str, run: Callable[[argparse.Namespace, TextIO], int], *, help: str
) -> Any:
    """Add the area ``name`` that ``run`` serves; returns the sub-parsers of its commands."""
    area = commands.add_parser(name, help=help)
    area.set_defaults(run=run)
    return area.add_subparsers(dest="command", required=True)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot.cli", description="Tabik operator tools")
    commands = root.add_subparsers(dest="area", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(commands)
    return root


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    args = parser().parse_args(argv)
    out = out if out is not None else sys.stdout
    try:
        return int(args.run(args, out))
    except (TabikError, InvalidTicketNumber) as error:
        sys.stderr.write(f"Gagal / failed: {error}\n")
        return 1
