"""Builds the process-wide :class:`bot.services.tabik.Tabik` from settings, once, when first asked.

Nothing happens at import time, and nothing migrates: the schema is made by
``python -m bot.cli db upgrade`` (the launcher runs it before the servers).
"""

from __future__ import annotations

import functools
import logging
import threading

from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import KeyValueStore, create_store
from bot.config import Settings, get_settings
from bot.services.outbox import Outbox
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
    """A new facade and its engine (callers own both; tests use this directly).

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
        store=store if store is not None else create_store(settings.redis_url),
        knowledge=knowledge,
        providers=providers,
    )
    return svc, engine


def build_outbox(settings: Settings | None = None) -> tuple[Outbox, Engine]:
    """The outbox on DATABASE_URL (callers own the engine): staff replies, tools.

    ``enqueue`` is all a producer needs; the channels' senders in Rasa's process
    deliver what is queued, from any process.
    """
    engine = make_engine((settings or get_settings()).database_url)
    return Outbox(engine), engine


def services() -> Tabik:
    """The process-wide facade, built on first use from :func:`bot.config.get_settings`."""
    global _services, _engine
    if _services is None:
        with _lock:
            if _services is None:
                _services, _engine = build_services()
    return _services
