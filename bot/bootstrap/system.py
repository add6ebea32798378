"""The system of record's services: residents' (Tabik), the staff console's, the outbox and
personal data, each built from :class:`bot.config.Settings` on engines this module makes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.figure_queries import SqlFigureQueries
from bot.adapters.db.login_counters import DatabaseCounters
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.personal_data_store import personal_data_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import create_store
from bot.adapters.media import PlatformMedia
from bot.config import Settings, get_settings
from bot.services.audit import StaffAudit
from bot.services.disposition import Disposition
from bot.services.escalation import Escalation
from bot.services.figures import FigureDesk
from bot.services.handoff_desk import Conversations, HandoffDesk
from bot.services.key_value import KeyValueStore
from bot.services.messaging import Messenger
from bot.services.notifications import StatusNotices
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
    """The outbox on DATABASE_URL (callers own the engine): staff replies, tools. The
    channels' senders in Rasa's process deliver what is queued, from any process."""
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


def build_escalation(
    settings: Settings | None = None, *, clock: Clock = utc_now
) -> tuple[Escalation, Engine]:
    """Escalation of overdue tickets over DATABASE_URL (callers own the engine)."""
    from bot.adapters.knowledge import load_knowledge
    from bot.adapters.sla_rules import load_sla_rules, office_schedule

    engine = make_engine((settings or get_settings()).database_url)
    escalation = Escalation(
        functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine)),
        sla_rules=load_sla_rules(),
        schedule=office_schedule(load_knowledge()),
        clock=clock,
    )
    return escalation, engine


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
    disposition: Disposition
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Without platform credentials: the console only reads the photos the channels
    # downloaded when they arrived, it never fetches one.
    media: PlatformMedia | None = None
    store: KeyValueStore | None = None
    personal: PersonalData | None = None  # an admin's erasure of one resident
    figures: FigureDesk | None = None  # /dasbor, /statistik, /api/stats and the header's counts

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
    sla_rules = load_sla_rules()
    desk = StaffDesk(
        uow_factory,
        messenger,
        filing=tabik.filing,
        notices=StatusNotices(messenger),
        schedule=schedule,
        sla_rules=sla_rules,
        knowledge=knowledge,
        clock=clock,
    )
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
        desk=desk,
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
        disposition=Disposition(desk),
        store=store,
        personal=personal_data_on(engine, clock=clock),
        figures=FigureDesk(SqlFigureQueries(engine), sla_rules, clock=clock),
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
