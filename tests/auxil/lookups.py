"""Ticket numbers for load tests: every message asks about a number of its own.

The numbers are well-formed but unknown, so the bot's reply names the number it
was asked about: that tells which message a reply answers.
"""

from __future__ import annotations

import random

from bot.domain.tickets import ALPHABET

# The bot refuses a 5th unknown ticket number within ten minutes (guessing protection).
MAX_LOOKUPS = 4


def new_run() -> str:
    """A date part (YYMMDD-shaped) for one run's ticket numbers and message ids."""
    return f"{random.randint(20, 29)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"


def ticket_for(run: str, resident: int, index: int) -> str:
    """The ticket number message ``index`` of resident ``resident`` asks about."""
    number, suffix = resident * MAX_LOOKUPS + index, ""
    for _ in range(5):
        number, digit = divmod(number, len(ALPHABET))
        suffix = ALPHABET[digit] + suffix
    return f"ADU-{run}-{suffix}"
