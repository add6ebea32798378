"""The main menu (``bot/data/menu.yml``) and reading a typed menu number.

Kept free of Rasa imports: the NLU component and the action server's form
validators both read typed numbers with :func:`menu_choice`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.domain.vocabulary import load_yaml

MENU_CHOICE = re.compile(
    r"^\s*(?:no|nomor|nmr|nomer|pilih|pilihan|angka|menu)?\.?\s*(\d{1,2})\s*[.)]?\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def menu_intents() -> dict[int, str]:
    data = load_yaml("menu.yml")
    return {int(item["number"]): str(item["intent"]) for item in data["items"]}


def menu_choice(text: str) -> int | None:
    """The number in a bare numbered answer ("3", "no 3", "pilih 3."), or None."""
    match = MENU_CHOICE.match(text or "")
    return int(match.group(1)) if match else None
