"""Masking personal data (NIK, phone numbers, names) before anything is logged."""

from __future__ import annotations

import logging
import re

# 16 digits, typed plain or copied from a KTP with spaces, dots or dashes between
# digits ("18 71 01 150890 0001", "1871.0115.0890.0001"). Sixteen digits in a row
# that are something else are masked too: hiding too much is the safe mistake.
_NIK = re.compile(r"(?<!\d)\d(?:[ \t.\-]{0,2}\d){15}(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(\+?62|0)[\s.\-]?(8\d{2})[\s.\-]?\d{3,4}[\s.\-]?(\d{2,5})(?!\d)")
# Telegram bot tokens ("123456:AA…") appear in Bot API URLs.
_BOT_TOKEN = re.compile(r"\b(bot)?(\d{6,12}):[A-Za-z0-9_-]{30,}")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_text(text: str) -> str:
    """Mask NIKs, Indonesian phone numbers, e-mail addresses and bot tokens in free text."""
    if not text:
        return text
    text = _BOT_TOKEN.sub(lambda m: f"{m[1] or ''}{m[2]}:***", text)
    text = mask_nik(text)
    text = _PHONE.sub(lambda m: f"{m[1]}{m[2]}****{m[3][-2:]}", text)
    return _EMAIL.sub(lambda m: f"{m[1]}***@{m[2]}", text)


def _masked_nik(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match[0])
    return f"{digits[:4]}********{digits[-4:]}"


def mask_nik(text: str) -> str:
    """Only NIKs masked (with any separators), to ``1871********0001``."""
    return _NIK.sub(_masked_nik, text) if text else text


def contains_nik(text: str) -> bool:
    return bool(text) and _NIK.search(text) is not None


def mask_phone(phone: str | None) -> str | None:
    """``0812******90``: enough for the resident to recognise, not to call."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return " ".join(part[0] + "***" for part in name.split() if part)


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record's message and traceback.

    A traceback repeats what the failing code held (an SQL statement's parameters,
    a ``ValueError`` quoting the NIK it refused), so it is formatted here, masked,
    and left in ``exc_text`` where formatters take it from.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must still be logged
            message = None
        if message is not None:
            masked = mask_text(message)
            if masked != message:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install_log_masking() -> None:
    """Attach the masking filter to every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
