"""The composition root: the one module that turns :class:`bot.config.Settings` into parts.

Engines, key-value stores, rate limiters, units of work, the outbox and the queues
are made here alone. Each entry point asks once: Rasa's webhook channels
:func:`for_channels`, the action server :func:`action_server`, the staff console
:func:`for_console`, the command line :func:`for_cli` (and the ``build_*`` functions),
the retention worker :func:`build_personal_data`. Nothing happens at import time and
nothing migrates (``python -m bot.cli db upgrade`` does, before the servers start).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.login_counters import DatabaseCounters
from bot.adapters.db.nlu_records import ModelRecords
from bot.adapters.db.staff_repository import StaffUnitOfWork
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.health import Probe, dependency_probes
from bot.adapters.kv import KeyValueStore, create_store
from bot.adapters.media import PlatformMedia
from bot.adapters.rate_limit import RateLimiter, create_rate_limiter
from bot.adapters.tracker_events import TrackerEventLog
from bot.adapters.tracker_retention import TrackerStoreCleaner
from bot.config import PROJECT_ROOT, Settings, TelegramSettings, WhatsAppSettings, get_settings
from bot.services.audit import StaffAudit
from bot.services.handoff_desk import Conversations, HandoffDesk
from bot.services.inbound import InboundQueue
from bot.services.labelled_examples import LabelledExamples
from bot.services.messaging import Messenger
from bot.services.nlu_inbox import NluInbox
from bot.services.outbox import Outbox
from bot.services.privacy import PersonalData, RetentionPeriods
from bot.services.shared import Clock, utc_now
from bot.services.staff import TOKEN_LIFETIME, StaffAccounts
from bot.services.staff_desk import StaffDesk
from bot.services.tabik import Tabik

log = logging.getLogger(__name__)


def build_services(
    settings: Settings | None = None,
    *,
    store: KeyValueStore | None = None,
    extensions: bool = True,
) -> tuple[Tabik, Engine]:
    """New services and their engine (callers own both; tests use this directly).
    ``extensions=False`` leaves out the knowledge base and outside-system providers."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    knowledge, providers = None, None
    if extensions:
        # Imported here: the CLI's ticket commands should not pay for aiohttp clients.
        from bot.adapters.knowledge import load_knowledge
        from bot.adapters.upstream import build_providers

        knowledge, providers = load_knowledge(), build_providers(settings)
    svc = Tabik(
        functools.partial(SqlAlchemyUnitOfWork, session_factory),
        store=store
        if store is not None
        else create_store(settings.redis_url, prefix=settings.redis_key_prefix),
        knowledge=knowledge,
        providers=providers,
        complaints_per_day=settings.complaints_per_day,
        handoff_daily_limit=settings.handoff_daily_limit,
    )
    return svc, engine


def build_outbox(settings: Settings | None = None) -> tuple[Outbox, Engine]:
    """The outbox on DATABASE_URL (callers own the engine): staff replies, tools. The
    channels' senders in Rasa's process deliver what is queued, from any process."""
    engine = make_engine((settings or get_settings()).database_url)
    return Outbox(engine), engine


def build_personal_data(settings: Settings | None = None) -> PersonalData:
    """Retention and erasure over DATABASE_URL, TRACKER_STORE_URL and MEDIA_DIR (callers
    dispose of ``engine`` and ``tracker.engine``; :func:`close_personal_data`)."""
    settings = settings or get_settings()
    return PersonalData(
        make_engine(settings.database_url),
        tracker=TrackerStoreCleaner(make_engine(settings.tracker_store_url)),
        media_dir=settings.media_dir,
        periods=RetentionPeriods.from_settings(settings),
    )


def close_personal_data(personal: PersonalData) -> None:
    personal.engine.dispose()
    if personal.tracker is not None:
        personal.tracker.engine.dispose()


# --- staff console -------------------------------------------------------------


@dataclass
class StaffServices:
    """What the staff console runs on (built by :func:`build_staff_services`)."""

    tabik: Tabik
    accounts: StaffAccounts
    desk: StaffDesk
    handoffs: HandoffDesk
    audit: StaffAudit
    engine: Engine
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Without platform credentials: the console only reads the photos the channels
    # downloaded when they arrived, it never fetches one.
    media: PlatformMedia | None = None
    store: KeyValueStore | None = None
    personal: PersonalData | None = None  # an admin's erasure of one resident

    async def close(self) -> None:
        for close in self.closers:
            await close()
        if self.store is not None:
            await self.store.close()
        self.engine.dispose()


def build_staff_services(
    settings: Settings | None = None,
    *,
    messenger: Messenger,
    conversations: Conversations | None = None,
    store: KeyValueStore | None = None,
    media_dir: Path | None = None,
) -> StaffServices:
    """The console's services; ``messenger`` carries staff messages to residents. Without
    ``conversations``, Rasa's HTTP API at RASA_URL is used."""
    from bot.adapters.rasa_api import RasaConversations

    settings = settings or get_settings()
    closers: list[Callable[[], Awaitable[None]]] = []
    if conversations is None:
        rasa = RasaConversations(str(settings.rasa_url), settings.rasa_api_token)
        closers.append(rasa.close)
        conversations = rasa
    staff = assemble_staff_services(
        make_engine(settings.database_url),
        messenger=messenger,
        conversations=conversations,
        store=store
        if store is not None
        else create_store(settings.redis_url, prefix=settings.redis_key_prefix),
        token_lifetime=timedelta(days=settings.console_token_days),
    )
    staff.closers.extend(closers)
    staff.media = PlatformMedia(media_dir or settings.media_dir)
    tracker = TrackerStoreCleaner(make_engine(settings.tracker_store_url))
    staff.personal = PersonalData(
        staff.engine,
        tracker=tracker,
        media_dir=media_dir or settings.media_dir,
        periods=RetentionPeriods.from_settings(settings),
    )

    async def close_tracker() -> None:
        tracker.engine.dispose()

    staff.closers.append(close_tracker)
    return staff


def assemble_staff_services(
    engine: Engine,
    *,
    messenger: Messenger,
    conversations: Conversations | None,
    store: KeyValueStore,
    clock: Clock = utc_now,
    hasher: PasswordHasher | None = None,
    token_lifetime: timedelta = TOKEN_LIFETIME,
) -> StaffServices:
    """The console's services on ``engine`` from the parts given (tests give fakes)."""
    from bot.adapters.knowledge import load_knowledge
    from bot.adapters.sla_rules import load_sla_rules, office_hours_text, office_schedule

    uow_factory = functools.partial(StaffUnitOfWork, make_session_factory(engine))
    knowledge = load_knowledge()
    # Staff file for walk-in residents all day: no per-account limit at the desk.
    tabik = Tabik(
        uow_factory, store=store, knowledge=knowledge, clock=clock, complaints_per_day=None
    )
    schedule = office_schedule(knowledge)
    return StaffServices(
        tabik=tabik,
        accounts=StaffAccounts(
            uow_factory,
            clock=clock,
            hasher=hasher,
            store=store,
            # Redis down: the instances keep counting failed logins together, in the database.
            fallback_counters=DatabaseCounters(engine, clock=clock),
            token_lifetime=token_lifetime,
        ),
        desk=StaffDesk(
            uow_factory,
            tabik,
            messenger,
            schedule=schedule,
            sla_rules=load_sla_rules(),
            knowledge=knowledge,
            clock=clock,
        ),
        handoffs=HandoffDesk(
            uow_factory,
            tabik,
            schedule=schedule,
            office_hours=office_hours_text(knowledge),
            messenger=messenger,
            conversations=conversations,
            clock=clock,
        ),
        audit=StaffAudit(uow_factory),
        engine=engine,
        store=store,
        personal=PersonalData(engine, clock=clock),
    )


def for_console(
    settings: Settings | None = None, *, media_dir: Path | None = None
) -> StaffServices:
    """The staff console's parts: its services, with staff messages going into the outbox
    (the channels' senders in Rasa's process deliver them)."""
    settings = settings or get_settings()
    outbox, outbox_engine = build_outbox(settings)
    staff = build_staff_services(settings, messenger=outbox, media_dir=media_dir)

    async def dispose_outbox() -> None:
        outbox_engine.dispose()

    staff.closers.append(dispose_outbox)
    return staff


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
        functools.partial(StaffUnitOfWork, make_session_factory(engine)),
        tabik,
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
    outbox = Outbox(engine, lease=outbox_lease)
    return ChannelStores(InboundQueue(engine, outbox, lease=inbound_lease), outbox, engine)


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


# --- the command line ---------------------------------------------------------------


class CliParts:
    """What one ``python -m bot.cli`` command runs on, made when first asked; :meth:`close`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engines: dict[str, Engine] = {}

    def engine(self, url: str | None = None) -> Engine:
        """The engine of ``url`` (DATABASE_URL's by default), made once."""
        url = url or self.settings.database_url
        if url not in self._engines:
            self._engines[url] = make_engine(url)
        return self._engines[url]

    def staff_uow(self) -> functools.partial[StaffUnitOfWork]:
        return functools.partial(StaffUnitOfWork, make_session_factory(self.engine()))

    def model_records(self) -> ModelRecords:
        return ModelRecords(self.engine())

    def nlu_inbox(self) -> NluInbox:
        """Messages understood below NLU_INBOX_CONFIDENCE, read from the tracker store."""
        tracker = TrackerEventLog(self.engine(self.settings.tracker_store_url))
        threshold = self.settings.nlu_inbox_confidence
        return NluInbox(self.engine(), tracker, LabelledExamples(PROJECT_ROOT), threshold=threshold)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def for_cli(settings: Settings | None = None) -> CliParts:
    """The command line's parts (the caller closes them)."""
    return CliParts(settings or get_settings())
