"""A channel's settings from the environment with credentials.yml's keys laid over."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields, replace
from typing import Any, NoReturn, TypeVar

from bot.config import TelegramSettings, WhatsAppSettings

ChannelSettings = TypeVar("ChannelSettings", TelegramSettings, WhatsAppSettings)


def channel_settings(
    configured: ChannelSettings | None,
    credentials: Mapping[str, Any] | None,
    *,
    settings_type: type[ChannelSettings],
    required: tuple[str, ...],
    on_missing: Callable[[], NoReturn],
) -> ChannelSettings:
    """The environment's settings for a channel with non-empty credentials.yml keys laid over.

    Without settings in the environment, credentials.yml must give every ``required``
    key (else ``on_missing`` raises); any other field without a default starts as None.
    """
    overrides = {k: str(v) for k, v in (credentials or {}).items() if v not in (None, "")}
    config = configured
    if config is None:
        if not all(overrides.get(k) for k in required):
            on_missing()
        bare: dict[str, Any] = {
            f.name: overrides.get(f.name) for f in fields(settings_type) if f.default is MISSING
        }
        config = settings_type(**bare)
    known = {f.name for f in fields(settings_type)}
    config = replace(config, **{k: v for k, v in overrides.items() if k in known})
    return replace(config, api_base=config.api_base.rstrip("/"))
