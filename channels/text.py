"""Texts the channels handle themselves: their own replies, splitting, titles, menus.

``Replies`` are the Indonesian texts in ``channels/replies.yml`` (answers to
message kinds Tabik cannot read, button labels); the functions fit Rasa's
responses into what WhatsApp and Telegram accept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Both platforms cap a text message at 4,096 characters.
MAX_TEXT_LENGTH = 4096

REPLIES_FILE = Path(__file__).with_name("replies.yml")


@dataclass(frozen=True)
class Replies:
    """Texts the channels send by themselves (``channels/replies.yml``)."""

    unsupported: Mapping[str, str]
    texts: Mapping[str, str]

    REQUIRED = (
        "processing_failed",
        "button_expired",
        "choose_prompt",
        "list_button",
        "numbered_hint",
        "location_button",
        "contact_button",
        "location_prompt",
        "contact_prompt",
        "photo_failed",
        "photo_not_image",
        "photo_too_large",
    )

    @classmethod
    def load(cls, path: Path | None = None) -> Replies:
        data = yaml.safe_load((path or REPLIES_FILE).read_text(encoding="utf-8")) or {}
        unsupported = data.get("unsupported") or {}
        if "default" not in unsupported:
            raise ValueError("replies.yml: unsupported.default is required")
        missing = [key for key in cls.REQUIRED if not data.get(key)]
        if missing:
            raise ValueError(f"replies.yml: missing {', '.join(missing)}")
        texts = {k: str(v).strip() for k, v in data.items() if k != "unsupported"}
        return cls(
            unsupported={str(k): str(v).strip() for k, v in unsupported.items()},
            texts=texts,
        )

    def for_unsupported(self, kind: str) -> str:
        return self.unsupported.get(kind) or self.unsupported["default"]

    def __getitem__(self, key: str) -> str:
        return self.texts[key]


def intent_text(intent: str, entities: Mapping[str, Any]) -> str:
    """A message Rasa's intent syntax understands: ``/intent{"entity": value}``."""
    return f"/{intent}{json.dumps(dict(entities), ensure_ascii=False)}"


def phone_to_national(raw: str) -> str:
    """``+62 812-3456`` / ``628123456`` → ``08123456``; other countries keep ``+``."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("62"):
        return "0" + digits[2:]
    if digits.startswith("0"):
        return digits
    return f"+{digits}" if digits else ""


def utf16_len(text: str) -> int:
    """Length as both platforms count it (UTF-16 code units: an emoji may count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


_SENTENCE_END = re.compile(r"[.!?…](?:[\"')\]]*)\s+")


def _cut_position(window: str) -> int:
    """Where to end a chunk inside ``window``: paragraph, line, sentence, then word.

    A boundary in the first half is only taken when nothing better exists, so a
    chunk is never needlessly tiny.
    """
    half = len(window) // 2
    candidates: list[int] = []
    for separator in ("\n\n", "\n"):
        pos = window.rfind(separator)
        if pos > 0:
            candidates.append(pos + len(separator))
            if pos >= half:
                return pos + len(separator)
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if sentence_ends:
        candidates.append(sentence_ends[-1])
        if sentence_ends[-1] >= half:
            return sentence_ends[-1]
    pos = window.rfind(" ")
    if pos > 0:
        candidates.append(pos + 1)
        if pos >= half:
            return pos + 1
    return max(candidates) if candidates else len(window)


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> list[str]:
    """Split text into chunks of at most ``limit`` UTF-16 units at natural boundaries."""
    if limit < 1:
        raise ValueError("limit must be positive")
    rest = text.strip()
    chunks: list[str] = []
    while rest:
        if utf16_len(rest) <= limit:
            chunks.append(rest)
            break
        window = rest[: _fit(rest, limit)]
        cut = _cut_position(window)
        chunk = rest[:cut].strip()
        if chunk:
            chunks.append(chunk)
        rest = rest[cut:].strip()
    return chunks


def shorten(text: str, limit: int) -> str:
    """Fit a title into ``limit`` characters, cutting at a word boundary with "…"."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    space = room.rfind(" ")
    if space >= limit // 2:
        room = room[:space]
    return room.rstrip(" ,.;:-–") + "…"


def button_payload(button: Mapping[str, Any]) -> str:
    """A Rasa button's payload (its title when it has none)."""
    return str(button.get("payload") or button.get("title") or "")


_NUMBERED_LINE = re.compile(r"^\s*\d{1,2}[.)]\s+\S", re.MULTILINE)


def numbered_menu(text: str, buttons: list[dict[str, Any]], hint: str) -> str:
    """Buttons as numbered lines, unless the text already numbers its options."""
    if len(_NUMBERED_LINE.findall(text)) >= len(buttons):
        return text
    lines = [f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1)]
    return "\n\n".join(part for part in (text.strip(), "\n".join(lines), hint) if part)
