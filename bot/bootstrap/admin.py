"""The operators' parts: the command line's engines and units of work, model administration
and the admins' NLU inbox."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from sqlalchemy.engine import Engine

from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.inbox_items import nlu_inbox_on
from bot.adapters.db.nlu_records import ModelRecords
from bot.adapters.db.uow import SqlAlchemyUnitOfWork

# --- the command line ---------------------------------------------------------------
from bot.adapters.kv import MemoryStore
from bot.adapters.tracker_events import TrackerEventLog
from bot.bootstrap.system import build_services
from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.services.labelled_examples import LabelledExamples
from bot.services.models import ModelService
from bot.services.nlu_inbox import NluInbox
from bot.services.tabik import Tabik


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

    def uow_factory(self) -> functools.partial[SqlAlchemyUnitOfWork]:
        """Units of work on DATABASE_URL (staff accounts, tickets)."""
        return functools.partial(SqlAlchemyUnitOfWork, make_session_factory(self.engine()))

    def model_records(self) -> ModelRecords:
        return ModelRecords(self.engine())

    def nlu_inbox(self) -> NluInbox:
        """Messages understood below NLU_INBOX_CONFIDENCE, read from the tracker store."""
        tracker = TrackerEventLog(self.engine(self.settings.tracker_store_url))
        threshold = self.settings.nlu_inbox_confidence
        return nlu_inbox_on(
            self.engine(), tracker, LabelledExamples(PROJECT_ROOT), threshold=threshold
        )

    def ticket_services(self) -> Tabik:
        """Tickets' services without the knowledge base and outside systems, on an
        in-process store: one short command needs no shared one."""
        services, engine = build_services(self.settings, store=MemoryStore(), extensions=False)
        self._engines[f"services:{id(engine)}"] = engine
        return services

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def for_cli(settings: Settings | None = None) -> CliParts:
    """The command line's parts (the caller closes them)."""
    return CliParts(settings or get_settings())


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
