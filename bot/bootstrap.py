"""Builds the process-wide :class:`bot.services.Tabik` from settings, once, when first asked.

Nothing happens at import time, and nothing migrates: the schema is made by
``python -m bot.cli db upgrade`` (the launcher runs it before the servers).
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

from bot.config import Settings, get_settings
from bot.db.engine import make_engine, make_session_factory
from bot.db.uow import SqlAlchemyUnitOfWork
from bot.kv import KeyValueStore, create_store
from bot.services import Tabik

log = logging.getLogger(__name__)

_lock = threading.Lock()
_services: Tabik | None = None
_engine: Engine | None = None


def _optional(module_name: str, attribute: str) -> Any | None:
    """A function from a module that may not exist yet (built by another part of the team)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:  # the module exists but something it imports does not
            raise
        log.warning("%s is not installed; Tabik runs without it", module_name)
        return None
    function = getattr(module, attribute, None)
    if function is None:
        log.warning("%s has no %s; Tabik runs without it", module_name, attribute)
    return function


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
    load_knowledge = _optional("bot.knowledge", "load_knowledge") if extensions else None
    build_providers = _optional("bot.adapters", "build_providers") if extensions else None
    svc = Tabik(
        functools.partial(SqlAlchemyUnitOfWork, session_factory),
        store=store if store is not None else create_store(settings.redis_url),
        knowledge=load_knowledge() if load_knowledge else None,
        providers=build_providers(settings) if build_providers else None,
    )
    return svc, engine


def services() -> Tabik:
    """The process-wide facade, built on first use from :func:`bot.config.get_settings`."""
    global _services, _engine
    if _services is None:
        with _lock:
            if _services is None:
                _services, _engine = build_services()
    return _services


def reset_services() -> None:
    """Forget the process-wide facade and close its connections (tests, settings changes).

    The key-value store is not closed here: it may be async (Redis) and the event
    loop that opened it may be gone; a new one is made on the next ``services()``.
    """
    global _services, _engine
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _services, _engine = None, None
