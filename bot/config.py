"""Settings read from the environment (and a ``.env`` file when present).

One place for every variable in CONTRACT §3. Nothing here opens a connection:
settings are plain values, read when asked for (never at import time).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TABIK_VAR_DIR", PROJECT_ROOT / "var"))

DEFAULT_WHATSAPP_API_BASE = "https://graph.facebook.com/v21.0"
DEFAULT_TELEGRAM_API_BASE = "https://api.telegram.org"


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a simple ``KEY=VALUE`` file; comments and blank lines are skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def load_environment(env_file: Path | None = None) -> None:
    """Put ``.env`` values into ``os.environ`` without overriding real variables."""
    for key, value in read_dotenv(env_file or PROJECT_ROOT / ".env").items():
        os.environ.setdefault(key, value)


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


def _opt(env: Mapping[str, str], key: str) -> str | None:
    value = env.get(key, "").strip()
    return value or None


@dataclass(frozen=True)
class WhatsAppSettings:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_base: str = DEFAULT_WHATSAPP_API_BASE
    # Name and language of the approved template used outside the 24-hour window.
    notification_template: str = "tabik_status_update"
    template_language: str = "id"
    # Approved template for replies once the 24-hour window has closed (one body parameter).
    reply_template: str = "tabik_reply"


@dataclass(frozen=True)
class TelegramSettings:
    bot_token: str
    secret_token: str | None
    api_base: str = DEFAULT_TELEGRAM_API_BASE


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    redis_url: str | None
    rasa_api_token: str | None
    whatsapp: WhatsAppSettings | None
    telegram: TelegramSettings | None
    action_server_url: str = "http://localhost:5055/webhook"
    rasa_url: str = "http://localhost:5005"
    extra: dict[str, str] = field(default_factory=dict)
    # Longest wait between two tries of an unsent outbox message (the platform is down).
    outbox_max_delay: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        whatsapp = None
        wa_keys = (
            "WHATSAPP_VERIFY_TOKEN",
            "WHATSAPP_APP_SECRET",
            "WHATSAPP_ACCESS_TOKEN",
            "WHATSAPP_PHONE_NUMBER_ID",
        )
        if all(_opt(env, k) for k in wa_keys):
            whatsapp = WhatsAppSettings(
                verify_token=env["WHATSAPP_VERIFY_TOKEN"].strip(),
                app_secret=env["WHATSAPP_APP_SECRET"].strip(),
                access_token=env["WHATSAPP_ACCESS_TOKEN"].strip(),
                phone_number_id=env["WHATSAPP_PHONE_NUMBER_ID"].strip(),
                api_base=(_opt(env, "WHATSAPP_API_BASE") or DEFAULT_WHATSAPP_API_BASE).rstrip("/"),
                notification_template=_opt(env, "WHATSAPP_TEMPLATE_NAME") or "tabik_status_update",
                template_language=_opt(env, "WHATSAPP_TEMPLATE_LANGUAGE") or "id",
                reply_template=_opt(env, "WHATSAPP_REPLY_TEMPLATE") or "tabik_reply",
            )
        telegram = None
        if _opt(env, "TELEGRAM_BOT_TOKEN"):
            telegram = TelegramSettings(
                bot_token=env["TELEGRAM_BOT_TOKEN"].strip(),
                secret_token=_opt(env, "TELEGRAM_SECRET_TOKEN"),
                api_base=(_opt(env, "TELEGRAM_API_BASE") or DEFAULT_TELEGRAM_API_BASE).rstrip("/"),
            )
        return cls(
            database_url=_opt(env, "DATABASE_URL") or _sqlite_url("tabik.db"),
            tracker_store_url=_opt(env, "TRACKER_STORE_URL") or _sqlite_url("trackers.db"),
            redis_url=_opt(env, "REDIS_URL"),
            rasa_api_token=_opt(env, "RASA_API_TOKEN"),
            whatsapp=whatsapp,
            telegram=telegram,
            action_server_url=_opt(env, "ACTION_SERVER_URL") or "http://localhost:5055/webhook",
            rasa_url=(_opt(env, "RASA_URL") or "http://localhost:5005").rstrip("/"),
            outbox_max_delay=float(_opt(env, "OUTBOX_MAX_DELAY") or 60.0),
        )


def get_settings() -> Settings:
    load_environment()
    return Settings.from_env()
