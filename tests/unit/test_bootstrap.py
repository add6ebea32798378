"""bot.bootstrap: what each entry point is handed, from the settings alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import bootstrap
from bot.adapters.kv import MemoryStore, RedisStore
from bot.adapters.rate_limit import MemoryRateLimiter, RedisRateLimiter
from bot.config import Settings, TelegramSettings, WhatsAppSettings

TELEGRAM = TelegramSettings(bot_token="1:abc", secret_token="s")
WHATSAPP = WhatsAppSettings(
    verify_token="v", app_secret="a", access_token="t", phone_number_id="123"
)


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'tabik.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'trackers.db'}",
            "MEDIA_DIR": str(tmp_path / "media"),
            **env,
        }
    )


@pytest.fixture
def installed() -> Iterator[None]:
    """Puts back whatever action server parts the process had."""
    previous = bootstrap.processes._action_server
    yield
    bootstrap.processes._action_server = previous


async def test_a_channel_without_redis_gets_in_process_parts(tmp_path: Path) -> None:
    parts = bootstrap.for_channels(settings(tmp_path, INBOUND_LEASE="30"), TELEGRAM)
    try:
        assert isinstance(parts.store, MemoryStore)
        assert isinstance(parts.limiter, MemoryRateLimiter)
        assert parts.media.telegram == TELEGRAM and parts.media.whatsapp is None
        assert parts.media.media_dir == tmp_path / "media"
        assert (
            parts.stores.inbound.lease == 30 and parts.stores.inbound.outbox is parts.stores.outbox
        )
        assert str(parts.stores.engine.url).endswith("tabik.db")
    finally:
        parts.stores.engine.dispose()


async def test_channels_share_redis_when_it_is_configured(tmp_path: Path) -> None:
    configured = settings(tmp_path, REDIS_URL="redis://localhost:6379/15", REDIS_KEY_PREFIX="t:")
    parts = bootstrap.for_channels(configured, WHATSAPP)
    try:
        assert isinstance(parts.store, RedisStore)
        assert isinstance(parts.limiter, RedisRateLimiter)
        assert parts.media.whatsapp == WHATSAPP and parts.media.telegram is None
    finally:
        await parts.store.close()
        await parts.limiter.close()
        parts.stores.engine.dispose()


def test_the_action_server_runs_on_the_parts_its_entry_point_installed(
    tmp_path: Path, installed: None
) -> None:
    parts = bootstrap.for_action_server(settings(tmp_path, HANDOFF_ACK_MINUTES="3"))
    try:
        bootstrap.install_action_server(parts)
        assert bootstrap.action_server() is parts
        assert parts.handoffs.ack_interval.total_seconds() == 180
    finally:
        parts.engine.dispose()


def test_the_command_line_makes_each_engine_once_and_closes_them(tmp_path: Path) -> None:
    parts = bootstrap.for_cli(settings(tmp_path, NLU_INBOX_CONFIDENCE="0.4"))
    engine = parts.engine()
    assert parts.engine() is engine and parts.engine(parts.settings.database_url) is engine
    inbox = parts.nlu_inbox()
    assert inbox.threshold == 0.4
    assert len(parts._engines) == 2  # the database's and the tracker store's
    parts.close()
    assert parts._engines == {}
    assert parts.engine() is not engine  # a new one after closing
    parts.close()
