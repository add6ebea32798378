"""The Rasa endpoints and credentials ``make serve`` writes into ``var/`` for the environment.

Rasa loads what these files name by dotted path: the channels whose credentials
are set, the masking SQL tracker store, and the fenced Redis lock store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from bot.config import VAR_DIR, Settings
from bot.private_files import write_private


def _sql_store(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    dialect = parts.scheme.split("+")[0]
    if dialect == "postgres":
        dialect = "postgresql"
    if dialect == "sqlite":
        path = url.split("///", 1)[1] if "///" in url else "rasa.db"
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"type": "SQL", "dialect": "sqlite", "db": path}
    store: dict[str, Any] = {
        "type": "SQL",
        "dialect": parts.scheme,
        "url": parts.hostname or "localhost",
        "db": (parts.path or "/").lstrip("/") or "postgres",
    }
    if parts.port:
        store["port"] = parts.port
    if parts.username:
        store["username"] = unquote(parts.username)
    if parts.password:
        store["password"] = unquote(parts.password)
    if parts.query:
        store["query"] = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    return store


def _lock_store(redis_url: str | None, prefix: str = "tabik:") -> dict[str, Any]:
    if not redis_url:
        return {"type": "in_memory"}
    # Rasa's RedisLockStore races across servers (Rasa #9213) and its 60 s lock is shorter
    # than a turn may take: ours is atomic, renews its lease and fences stale holders.
    return {
        "type": "bot.adapters.lock_store.FencedRedisLockStore",
        "url": redis_url,
        "key_prefix": prefix.rstrip(":"),
        # Rasa's lock store calls Redis synchronously: a hanging Redis must not hold
        # the event loop for long (Rasa's default is 10 s).
        "socket_timeout": 2,
    }


# The masking SQL store, also recording each message's NLU confidence for /metrics.
MASKING_STORE = "bot.adapters.observed_tracker_store.ObservedMaskingTrackerStore"
# The action server refuses calls without it (bot/entrypoints/action_server.py).
ACTIONS_TOKEN_HEADER = "X-Tabik-Actions-Token"  # noqa: S105 - a header name


def runtime_endpoints(settings: Settings) -> dict[str, Any]:
    return {
        # Rasa fills ${ACTIONS_TOKEN} from its environment: the secret is not in the file.
        "action_endpoint": {
            "url": settings.action_server_url,
            "headers": {ACTIONS_TOKEN_HEADER: "${ACTIONS_TOKEN}"},
        },
        # Rasa's SQL store, but NIKs are masked in what it keeps.
        "tracker_store": {**_sql_store(settings.tracker_store_url), "type": MASKING_STORE},
        "lock_store": _lock_store(settings.redis_url, settings.redis_key_prefix),
    }


def runtime_credentials(settings: Settings) -> dict[str, Any]:
    """Only the channels whose credentials are set are started; REST only while enabled."""
    credentials: dict[str, Any] = {}
    if settings.rest_enabled:
        credentials["channels.rest.RestInput"] = None
    # /health, /ready and /metrics (no messages): always on.
    credentials["channels.ops.OpsInput"] = {}
    if settings.whatsapp:
        credentials["channels.whatsapp.WhatsAppInput"] = {}
    if settings.telegram:
        credentials["channels.telegram.TelegramInput"] = {}
    # Zero-downtime model swaps (python -m bot.cli model deploy); RASA_API_TOKEN protects it.
    credentials["channels.model_admin.ModelAdminInput"] = {}
    return credentials


def write_runtime_config(settings: Settings, var_dir: Path = VAR_DIR) -> tuple[Path, Path]:
    var_dir.mkdir(parents=True, exist_ok=True)
    endpoints = var_dir / "endpoints.yml"
    credentials = var_dir / "credentials.yml"
    # The tracker store's password may be in there: readable by this user only.
    write_private(endpoints, yaml.safe_dump(runtime_endpoints(settings), sort_keys=False))
    write_private(credentials, yaml.safe_dump(runtime_credentials(settings), sort_keys=False))
    return endpoints, credentials
