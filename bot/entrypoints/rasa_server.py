"""Rasa's server (``rasa run``) with its API token taken from the environment.

``rasa run --auth-token SECRET`` would show the secret to anyone on the host
(``ps``, ``/proc/*/cmdline``). This entry adds the option inside the process:
``sys.argv`` changes, the command line the kernel shows does not.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

TOKEN_VARIABLE = "RASA_API_TOKEN"  # noqa: S105 - a variable's name


def rasa_arguments(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The arguments for Rasa's CLI: ``argv`` plus ``--auth-token`` when a token is set."""
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit("the API token must come from RASA_API_TOKEN, not the command line")
    token = (environ.get(TOKEN_VARIABLE) or "").strip()
    return [*argv, "--auth-token", token] if token else list(argv)


def main(argv: Sequence[str] | None = None) -> None:
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:] if argv is None else argv, os.environ)]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
