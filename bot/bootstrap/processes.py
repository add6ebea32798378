"""The long-running processes' parts: the action server's (installed once per process), the
readiness probes, and each of Rasa's webhook channels'."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.message_queue import inbound_on, outbox_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.health import Probe, dependency_probes
from bot.adapters.kv import create_store
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import RateLimiter, create_rate_limiter
from bot.bootstrap.system import build_services
from bot.config import Settings, TelegramSettings, WhatsAppSettings, get_settings
from bot.services.handoff_desk import HandoffDesk
from bot.services.inbound import InboundQueue
from bot.services.key_value import KeyValueStore
from bot.services.outbox import Outbox
from bot.services.tabik import Tabik

# --- the action server -----------------------------------------------------------


@dataclass
class ActionServerParts:
    """The action server's: residents' services and the handoff desk, on one engine."""

    services: Tabik
    handoffs: HandoffDesk
    engine: Engine


def for_action_server(settings: Settings | None = None) -> ActionServerParts:
    """New parts for an action server (callers own the engine; tests use this directly)."""
    from bot.adapters.knowledge import load_knowledge
    from bot.adapters.sla_rules import office_hours_text, office_schedule

    settings = settings or get_settings()
    tabik, engine = build_services(settings)
    knowledge = load_knowledge()
    handoffs = HandoffDesk(
        functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine)),
        requests=tabik.handoffs,
        schedule=office_schedule(knowledge),
        office_hours=office_hours_text(knowledge),
        ack_interval=timedelta(minutes=settings.handoff_ack_minutes),
        active_window=timedelta(minutes=settings.handoff_active_minutes),
    )
    return ActionServerParts(services=tabik, handoffs=handoffs, engine=engine)


# Tabik's one process-wide set of parts, which rasa-sdk's actions reach here: installed by
# the action server's entry point; built on first use when started another way.
_action_server: ActionServerParts | None = None
_action_server_lock = threading.Lock()


def install_action_server(parts: ActionServerParts) -> None:
    """Make ``parts`` this process's action server parts (its entry point, at start)."""
    global _action_server
    with _action_server_lock:
        _action_server = parts


def action_server() -> ActionServerParts:
    """This process's action server parts (built from the settings if none were installed)."""
    global _action_server
    with _action_server_lock:
        if _action_server is None:
            _action_server = for_action_server()
        return _action_server


def readiness_probes(settings: Settings) -> dict[str, Probe]:
    """What ``/ready`` checks (each probe on its own small connection, apart from the parts)."""
    return dependency_probes(
        database_url=settings.database_url,
        tracker_store_url=settings.tracker_store_url,
        redis_url=settings.redis_url,
    )


# --- Rasa's webhook channels --------------------------------------------------------


@dataclass
class ChannelStores:
    """Stored messages and the outbox, on an engine the channel owns (and disposes)."""

    inbound: InboundQueue
    outbox: Outbox
    engine: Engine


def channel_stores(
    database_url: str, *, inbound_lease: float = 60.0, outbox_lease: float = 120.0
) -> ChannelStores:
    """Stored messages and the outbox on a new engine for ``database_url``."""
    engine = make_engine(database_url)
    outbox = outbox_on(engine, lease=outbox_lease)
    return ChannelStores(inbound_on(engine, outbox, lease=inbound_lease), outbox, engine)


@dataclass
class ChannelParts:
    """What one webhook channel in Rasa's process is built with (:func:`for_channels`)."""

    store: KeyValueStore  # button payloads
    limiter: RateLimiter  # the platform's pace, shared by instances through Redis
    media: PlatformMedia  # photos' downloader, with the channel's credentials
    stores: ChannelStores


def for_channels(settings: Settings, config: WhatsAppSettings | TelegramSettings) -> ChannelParts:
    """The parts of the webhook channel configured by ``config`` (WhatsApp's or Telegram's)."""
    whatsapp = config if isinstance(config, WhatsAppSettings) else None
    telegram = config if isinstance(config, TelegramSettings) else None
    return ChannelParts(
        store=create_store(settings.redis_url, prefix=settings.redis_key_prefix),
        limiter=create_rate_limiter(settings.redis_url, prefix=settings.redis_key_prefix),
        media=PlatformMedia(settings.media_dir, whatsapp=whatsapp, telegram=telegram),
        stores=channel_stores(
            settings.database_url,
            inbound_lease=settings.inbound_lease,
            outbox_lease=settings.outbox_lease,
        ),
    )
