"""The console's own settings: port, session secret, media directory (from the environment)."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import VAR_DIR

DEFAULT_PORT = 5080
SECRET_FILE = "console-secret.key"  # noqa: S105 - a file name, not a secret


@dataclass(frozen=True)
class ConsoleSettings:
    port: int
    secret_key: str
    media_dir: Path
    secure_cookies: bool = False

    @property
    def fernet_key(self) -> bytes:
        """aiohttp-session's encrypted cookies want 32 bytes; any secret text is stretched."""
        return hashlib.sha256(self.secret_key.encode()).digest()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, var_dir: Path | None = None
    ) -> ConsoleSettings:
        env = os.environ if env is None else env
        var_dir = var_dir or VAR_DIR
        secret = (env.get("CONSOLE_SECRET_KEY") or "").strip() or _kept_secret(var_dir)
        return cls(
            port=int(env.get("CONSOLE_PORT") or DEFAULT_PORT),
            secret_key=secret,
            media_dir=Path(env.get("MEDIA_DIR") or var_dir / "media"),
            secure_cookies=(env.get("CONSOLE_SECURE_COOKIES") or "").lower() in ("1", "true"),
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
