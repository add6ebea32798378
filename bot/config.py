"""Settings read from the environment (and a ``.env`` file when present).

One ``Settings`` object (pydantic ``BaseSettings``) holds every variable of the
configuration table in README.md; ``get_settings()`` reads it once per process.
Values are only parsed here; whether they are *safe to serve* (no half channel,
Telegram with its secret, a token for Rasa's HTTP API) is ``Settings.problems()``,
checked by the launcher before anything starts. Nothing here opens a connection.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseSettings, Field, PrivateAttr, root_validator, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TABIK_VAR_DIR", PROJECT_ROOT / "var"))
ENV_FILE = PROJECT_ROOT / ".env"

DEFAULT_WHATSAPP_API_BASE = "https://graph.facebook.com/v21.0"
# Where the Graph API's media URLs point (Meta's CDN for WhatsApp attachments): the
# only hosts besides the API base's that photos are downloaded from, token included.
DEFAULT_WHATSAPP_MEDIA_HOSTS = "lookaside.fbsbx.com"
DEFAULT_TELEGRAM_API_BASE = "https://api.telegram.org"
DEFAULT_RASA_PORT = 5005

WHATSAPP_VARIABLES = (
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
)
TELEGRAM_VARIABLES = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN")
# Addresses that mean "every interface": Rasa still reaches the action server on loopback.
_ANY_HOST = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - compared, never bound


class ConfigurationError(ValueError):
    """The environment cannot be served as it is; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


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
    """Put ``.env`` values into ``os.environ`` without overriding real variables.

    Child processes (Rasa, the action server) and the few modules that read
    ``os.environ`` directly then see the same values as the settings.
    """
    for key, value in read_dotenv(env_file or ENV_FILE).items():
        os.environ.setdefault(key, value)


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


@dataclass(frozen=True)
class WhatsAppSettings:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_base: str = DEFAULT_WHATSAPP_API_BASE
    # Comma-separated hosts media may be downloaded from besides the API base's.
    media_hosts: str = DEFAULT_WHATSAPP_MEDIA_HOSTS
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


def _secret(**kwargs: Any) -> Any:
    # Secrets never show in a repr (tracebacks, debug logs).
    return Field(None, repr=False, **kwargs)


class Settings(BaseSettings):
    """Every variable of the configuration table; field ``foo_bar`` is ``FOO_BAR``."""

    # URLs may carry a password: kept out of reprs too.
    database_url: str = Field(default_factory=lambda: _sqlite_url("tabik.db"), repr=False)
    tracker_store_url: str = Field(default_factory=lambda: _sqlite_url("trackers.db"), repr=False)
    redis_url: str | None = Field(None, repr=False)
    # Every Redis key starts with it, so deployments (or tests) can share one Redis.
    redis_key_prefix: str = "tabik:"

    whatsapp_verify_token: str | None = _secret()
    whatsapp_app_secret: str | None = _secret()
    whatsapp_access_token: str | None = _secret()
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_base: str = DEFAULT_WHATSAPP_API_BASE
    whatsapp_media_hosts: str = DEFAULT_WHATSAPP_MEDIA_HOSTS
    whatsapp_template_name: str = "tabik_status_update"
    whatsapp_template_language: str = "id"
    # Approved template for a reply or staff message outside the 24-hour window.
    whatsapp_reply_template: str = "tabik_reply"

    telegram_bot_token: str | None = _secret()
    telegram_secret_token: str | None = _secret()
    telegram_api_base: str = DEFAULT_TELEGRAM_API_BASE

    rasa_api_token: str | None = _secret()
    rasa_port: int = Field(DEFAULT_RASA_PORT, ge=1, le=65535)
    actions_port: int = Field(5055, ge=1, le=65535)
    console_port: int = Field(5080, ge=1, le=65535)
    actions_host: str = "127.0.0.1"
    actions_token: str | None = _secret()
    action_server_url: str | None = None
    rasa_url: str | None = None
    rasa_urls: str | None = None
    tabik_enable_rest: bool | None = None
    console_secret_key: str | None = _secret()
    # Reverse proxies (addresses or CIDR networks, comma-separated) whose
    # X-Forwarded-For / X-Forwarded-Proto the console believes; nobody else's.
    console_trusted_proxies: str | None = None
    # Secure cookies and HSTS on every response, not only on requests seen as HTTPS.
    console_secure_cookies: bool = False
    console_token_days: int = Field(90, ge=1, le=3650)
    media_dir: Path = Field(default_factory=lambda: VAR_DIR / "media")
    log_format: Literal["plain", "json"] = "plain"
    tabik_var_dir: Path = Field(default_factory=lambda: VAR_DIR)
    tabik_model: Path | None = None
    # Longest wait between two tries of an unsent outbox message (the platform is down).
    outbox_max_delay: float = Field(60.0, gt=0)
    # How long a claim on a stored message (a turn) or an outbox row (a send) lasts
    # unrenewed: how soon another instance takes over a dead one's work.
    inbound_lease: float = Field(60.0, ge=3)
    outbox_lease: float = Field(120.0, ge=3)
    # New complaints one chat account may file per day (WIB); beyond it a polite refusal.
    complaints_per_day: int = Field(10, ge=1)
    # How long personal data is kept (docs/privacy.md says what each covers and why).
    retention_inbound_days: float = Field(7.0, ge=7)  # raw received messages, once answered
    retention_outbox_days: float = Field(7.0, gt=0)  # sent messages, once sent
    retention_conversations_days: float = Field(180.0, gt=0)  # tracker store, NLU inbox
    retention_handoffs_days: float = Field(180.0, gt=0)  # closed handoffs' transcripts
    retention_tickets_days: float = Field(730.0, gt=0)  # finished tickets' personal fields
    # Seconds between two passes of the retention worker in `make serve`.
    retention_interval: float = Field(3600.0, ge=1)
    # Minutes between two passes of the escalation worker in `make serve` (overdue tickets).
    sla_escalate_minutes: float = Field(15.0, gt=0)
    # Handoffs (docs/console.md): new ones a chat account may open per day; how often a
    # message to a waiting handoff is acknowledged; how long after an officer's reply
    # the officer counts as replying (the bot then stays quiet, emergencies aside).
    handoff_daily_limit: int = Field(5, ge=1)
    handoff_ack_minutes: float = Field(10.0, ge=0)
    handoff_active_minutes: float = Field(15.0, ge=0)
    # Intent confidence below which a message enters the NLU inbox.
    nlu_inbox_confidence: float = Field(0.6, ge=0, le=1)
    # Where trained models are kept (candidates, the deployed one).
    tabik_models_dir: Path = Field(default_factory=lambda: PROJECT_ROOT / "models")

    # Outside systems (docs/adapters.md): an unset URL means demo data. The
    # timeouts (seconds) stay text here: the adapter says which variable is wrong.
    tax_api_url: str | None = None
    tax_api_key: str | None = _secret()
    tax_api_timeout: str | None = None
    social_aid_api_url: str | None = None
    social_aid_api_key: str | None = _secret()
    social_aid_api_timeout: str | None = None
    food_price_api_url: str | None = None
    food_price_api_key: str | None = _secret()
    food_price_api_timeout: str | None = None

    # Values for outside systems that tests inject without the environment.
    _extra: dict[str, str] = PrivateAttr(default_factory=dict)

    class Config:
        env_file = ENV_FILE
        env_file_encoding = "utf-8"
        case_sensitive = False
        allow_mutation = False

    @root_validator(pre=True)
    def _blank_is_unset(cls, values: dict[str, Any]) -> dict[str, Any]:
        # `FOO=` in a .env file or a compose file means "not set", not "empty secret".
        cleaned: dict[str, Any] = {}
        for key, value in values.items():
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            cleaned[key] = value
        return cleaned

    @validator("whatsapp_api_base", "telegram_api_base", "rasa_url")
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @root_validator(skip_on_failure=True)
    def _derived_urls(cls, values: dict[str, Any]) -> dict[str, Any]:
        host = values["actions_host"]
        reach = "127.0.0.1" if host in _ANY_HOST else host
        if not values.get("action_server_url"):
            values["action_server_url"] = f"http://{reach}:{values['actions_port']}/webhook"
        if not values.get("rasa_url"):
            values["rasa_url"] = f"http://localhost:{values['rasa_port']}"
        return values

    # --- reading ---------------------------------------------------------------

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` only (tests, tools); ``None`` reads the process environment."""
        if env is None:
            return cls.parse_obj({})
        names = {name.upper() for name in cls.__fields__}
        given = {key.lower(): value for key, value in env.items() if key.upper() in names}
        return _FromMapping.parse_obj(given)

    # --- what the rest of Tabik reads -----------------------------------------

    @property
    def extra(self) -> dict[str, str]:
        return self._extra

    @property
    def whatsapp(self) -> WhatsAppSettings | None:
        """The channel's settings, or None unless all four credentials are set."""
        if not all(self._given(name) for name in WHATSAPP_VARIABLES):
            return None
        return WhatsAppSettings(
            **self._channel_values(
                WhatsAppSettings, "whatsapp_", notification_template="whatsapp_template_name"
            )
        )

    @property
    def telegram(self) -> TelegramSettings | None:
        if not self.telegram_bot_token:
            return None
        return TelegramSettings(**self._channel_values(TelegramSettings, "telegram_"))

    def _channel_values(self, settings: type, prefix: str, **renamed: str) -> dict[str, Any]:
        """A channel's settings: field ``foo`` is ``<prefix>foo`` here, unless ``renamed``."""
        return {
            item.name: getattr(self, renamed.get(item.name, prefix + item.name))
            for item in fields(settings)
        }

    @property
    def messaging_configured(self) -> bool:
        """Any WhatsApp or Telegram variable set: residents' real identities are at stake."""
        return any(self._given(name) for name in (*WHATSAPP_VARIABLES, *TELEGRAM_VARIABLES))

    @property
    def rest_enabled(self) -> bool:
        """The REST channel: on while no messaging channel is configured, or when asked for."""
        if self.tabik_enable_rest is not None:
            return self.tabik_enable_rest
        return not self.messaging_configured

    @property
    def rasa_url_given(self) -> bool:
        """``RASA_URL`` was set, rather than derived from ``RASA_PORT``."""
        return "rasa_url" in self.__fields_set__

    @property
    def trusted_proxies(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """``CONSOLE_TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
        return parse_networks(self.console_trusted_proxies or "")

    @property
    def shared_database(self) -> bool:
        """A database other instances may use too (anything but a SQLite file)."""
        return not self.database_url.startswith("sqlite")

    @property
    def rasa_instances(self) -> tuple[str, ...]:
        """``RASA_URLS`` (comma-separated), or this instance's Rasa."""
        urls = [u.strip().rstrip("/") for u in (self.rasa_urls or "").split(",") if u.strip()]
        return tuple(urls) or (str(self.rasa_url),)

    def _given(self, variable: str) -> bool:
        return bool(getattr(self, variable.lower()))

    def problems(self) -> list[str]:
        """Why this configuration must not be served; empty when it may."""
        found: list[str] = []
        given = [name for name in WHATSAPP_VARIABLES if self._given(name)]
        if given and len(given) < len(WHATSAPP_VARIABLES):
            missing = [name for name in WHATSAPP_VARIABLES if name not in given]
            found.append(
                f"WhatsApp is half configured: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} missing "
                f"(set all of {', '.join(WHATSAPP_VARIABLES)}, or none)"
            )
        if self.telegram_secret_token and not self.telegram_bot_token:
            found.append("Telegram is half configured: TELEGRAM_BOT_TOKEN is missing")
        if self.telegram_bot_token and not self.telegram_secret_token:
            found.append(
                "Telegram needs TELEGRAM_SECRET_TOKEN: without it forged updates "
                "for any chat would be accepted"
            )
        if self.shared_database and not self.console_secret_key:
            found.append(
                "CONSOLE_SECRET_KEY is missing: with a shared DATABASE_URL every console "
                "instance must sign staff sessions with the same key (each would otherwise "
                "make its own and log staff out at random)"
            )
        try:
            parse_networks(self.console_trusted_proxies or "")
        except ValueError as error:
            found.append(f"CONSOLE_TRUSTED_PROXIES: {error}")
        if self.messaging_configured and not self.rasa_api_token:
            found.append(
                "RASA_API_TOKEN is missing: with WhatsApp or Telegram configured, "
                "Rasa's HTTP API (conversations, models) must require a token"
            )
        return found

    def check(self) -> Settings:
        """Raise ``ConfigurationError`` naming every problem; return self when servable."""
        found = self.problems()
        if found:
            raise ConfigurationError(found)
        return self

    def with_values(self, **values: Any) -> Settings:
        """A copy with some fields replaced (e.g. a generated ``actions_token``)."""
        return self.copy(update=values)


class _FromMapping(Settings):
    """Settings read from given values only: neither the environment nor ``.env``."""

    class Config:
        @classmethod
        def customise_sources(
            cls, init_settings: Any, env_settings: Any, file_secret_settings: Any
        ) -> Any:
            return (init_settings,)


def parse_networks(text: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated addresses or CIDR networks; ValueError naming a bad one."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(f"{item!r} is neither an address nor a network") from error
    return tuple(networks)


def get_settings() -> Settings:
    """The process's settings, parsed and validated once per state of the environment.

    A process's environment does not change, so this is read once; keyed on the
    variables' values, a test that sets one (``monkeypatch.setenv``) still sees it.
    """
    load_environment()
    return _settings_for(tuple(os.environ.get(name.upper()) for name in Settings.__fields__))


@lru_cache(maxsize=8)
def _settings_for(_values: tuple[str | None, ...]) -> Settings:
    return Settings.parse_obj({})
