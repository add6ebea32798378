"""The console's own settings: port, session secret, media directory, trusted proxies.

The variables are declared, read and checked in :mod:`bot.config` (the launcher refuses
a bad ``CONSOLE_TRUSTED_PROXIES``); this is the console's view of them.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

from bot.config import Settings

SECRET_FILE = "console-secret.key"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True)
class ConsoleSettings:
    port: int
    secret_key: str
    media_dir: Path
    # Secure cookies and HSTS always, not only on requests that came over HTTPS.
    secure_cookies: bool = False
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()

    @property
    def fernet_key(self) -> bytes:
        """aiohttp-session's encrypted cookies want 32 bytes; any secret text is stretched."""
        return hashlib.sha256(self.secret_key.encode()).digest()

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsoleSettings:
        secret = (settings.console_secret_key or "").strip() or _kept_secret(settings.tabik_var_dir)
        return cls(
            port=settings.console_port,
            secret_key=secret,
            media_dir=settings.media_dir,
            secure_cookies=settings.console_secure_cookies,
            trusted_proxies=settings.trusted_proxies,
        )


def _kept_secret(var_dir: Path) -> str:
    """Generated once and kept, so sessions survive a restart of the console."""
    path = var_dir / SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Created with owner-only permissions; another instance writing first wins.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    return secret
