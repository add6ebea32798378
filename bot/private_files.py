"""Files readable by this user only: the runtime configuration, the console's generated key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.config import Settings

CONSOLE_SECRET_FILE = "console-secret-key"  # noqa: S105 - a file name


def console_secret_key(settings: Settings) -> str:
    """``CONSOLE_SECRET_KEY``, or one generated once and kept under var/ (mode 0600)."""
    if settings.console_secret_key:
        return settings.console_secret_key
    path = settings.tabik_var_dir / CONSOLE_SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    write_private(path, key + "\n")
    return key


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` readable by this user only, from the first byte (no umask race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
