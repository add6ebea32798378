"""Builds the process-wide :class:`bot.services.tabik.Tabik` from settings, once, when first asked.

Nothing happens at import time, and nothing migrates: the schema is made by
``python -m bot.cli db upgrade`` (the launcher runs it before the servers).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.login_counters import DatabaseCounters
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.personal_data_store import personal_data_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import create_store
from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.services.audit import StaffAudit
from bot.services.handoff_desk import Conversations, HandoffDesk
from bot.services.key_value import KeyValueStore
from bot.services.messaging import Messenger
from bot.services.models import ModelService
from bot.services.nlu_inbox import NluInbox
from bot.services.notifications import StatusNotices
from bot.services.outbox import Outbox
from bot.services.privacy import PersonalData, RetentionPeriods
from bot.services.shared import Clock, utc_now
from bot.services.staff import TOKEN_LIFETIME, StaffAccounts
from bot.services.staff_desk import StaffDesk
from bot.services.tabik import Tabik

log = logging.getLogger(__name__)

_lock = threading.Lock()
_services: Tabik | None = None
_engine: Engine | None = None


def build_services(
    settings: Settings | None = None,
    *,
    store: KeyValueStore | None = None,
    extensions: bool = True,
) -> tuple[Tabik, Engine]:
    """New services and their engine (callers own both; tests use this directly).

    ``extensions=False`` leaves out the knowledge base and outside-system providers
    (the CLI's ticket commands need neither).
    """
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
        messenger=outbox_on(engine),
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
    """The outbox on DATABASE_URL (callers own the engine): staff replies, tools.

    ``enqueue`` is all a producer needs; the channels' senders in Rasa's process
    deliver what is queued, from any process.
    """
    engine = make_engine((settings or get_settings()).database_url)
    return outbox_on(engine), engine


def build_personal_data(settings: Settings | None = None) -> PersonalData:
    """Retention and erasure over DATABASE_URL, TRACKER_STORE_URL and MEDIA_DIR (callers
    close it; :func:`close_personal_data`)."""
    settings = settings or get_settings()
    return personal_data_on(
        make_engine(settings.database_url),
        tracker_engine=make_engine(settings.tracker_store_url),
        media_dir=settings.media_dir,
        periods=RetentionPeriods.from_settings(settings),
    )


def close_personal_data(personal: PersonalData) -> None:
    personal.close()


def services() -> Tabik:
    """The process-wide services, built on first use from :func:`bot.config.get_settings`.

    The engine lives as long as the process (the action server); the handoff desk shares it.
    """
    global _services, _engine
    if _services is None:
        with _lock:
            if _services is None:
                _services, _engine = build_services()
    return _services


# --- staff console -------------------------------------------------------------

_desk_lock = threading.Lock()
_handoff_desk: Any = None


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
    # bot.adapters.media.PlatformMedia without platform credentials: the console only
    # reads the photos the channels downloaded when they arrived, it never fetches one.
    media: Any = None
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
    from bot.adapters.media import PlatformMedia
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
    tracker = make_engine(settings.tracker_store_url)
    staff.personal = personal_data_on(
        staff.engine,
        tracker_engine=tracker,
        media_dir=media_dir or settings.media_dir,
        periods=RetentionPeriods.from_settings(settings),
    )

    async def close_tracker() -> None:
        tracker.dispose()

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

    uow_factory = functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine))
    knowledge = load_knowledge()
    # Staff file for walk-in residents all day: no per-account limit at the desk.
    tabik = Tabik(
        uow_factory,
        store=store,
        messenger=messenger,
        knowledge=knowledge,
        clock=clock,
        complaints_per_day=None,
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
            messenger,
            filing=tabik.filing,
            notices=StatusNotices(messenger),
            schedule=schedule,
            sla_rules=load_sla_rules(),
            knowledge=knowledge,
            clock=clock,
        ),
        handoffs=HandoffDesk(
            uow_factory,
            requests=tabik.handoffs,
            schedule=schedule,
            office_hours=office_hours_text(knowledge),
            messenger=messenger,
            conversations=conversations,
            clock=clock,
        ),
        audit=StaffAudit(uow_factory),
        engine=engine,
        store=store,
        personal=personal_data_on(engine, clock=clock),
    )


def handoff_desk() -> HandoffDesk:
    """The process-wide handoff desk of the action server (opens and routes handoffs)."""
    global _handoff_desk
    if _handoff_desk is None:
        with _desk_lock:
            if _handoff_desk is None:
                from bot.adapters.sla_rules import office_hours_text, office_schedule

                tabik = services()
                engine = _engine
                assert engine is not None
                from bot.adapters.knowledge import load_knowledge

                knowledge = load_knowledge()
                settings = get_settings()
                _handoff_desk = HandoffDesk(
                    functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine)),
                    requests=tabik.handoffs,
                    schedule=office_schedule(knowledge),
                    office_hours=office_hours_text(knowledge),
                    ack_interval=timedelta(minutes=settings.handoff_ack_minutes),
                    active_window=timedelta(minutes=settings.handoff_active_minutes),
                )
    return _handoff_desk  # type: ignore[no-any-return]


# --- model administration and the NLU inbox ---------------------------------------


def build_model_service(
    settings: Settings | None = None, *, environment: Mapping[str, str]
) -> tuple[ModelService, Engine]:
    """Model administration over DATABASE_URL, TABIK_MODELS_DIR and RASA_URLS (callers own
    the engine); Rasa's commands run in ``environment`` (the entry point's own)."""
    from bot.adapters.db.nlu_records import ModelRecords
    from bot.adapters.model_files import RasaModelFiles
    from bot.adapters.model_instances import RasaModelInstances
    from bot.adapters.rasa_training import MODELS_DIR

    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    service = ModelService(
        ModelRecords(engine),
        RasaModelFiles(settings.tabik_models_dir or MODELS_DIR, environment=environment),
        RasaModelInstances(settings.rasa_api_token),
        urls=settings.rasa_instances,
    )
    return service, engine


def build_nlu_inbox(settings: Settings | None = None) -> tuple[NluInbox, Callable[[], None]]:
    """The admins' NLU inbox over DATABASE_URL and TRACKER_STORE_URL, and what closes it."""
    from bot.adapters.db.inbox_items import nlu_inbox_on
    from bot.adapters.tracker_events import TrackerEventLog
    from bot.services.labelled_examples import LabelledExamples

    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    events = TrackerEventLog(make_engine(settings.tracker_store_url))
    inbox = nlu_inbox_on(
        engine, events, LabelledExamples(PROJECT_ROOT), threshold=settings.nlu_inbox_confidence
    )

    def close() -> None:
        engine.dispose()
        events.engine.dispose()

    return inbox, close
