"""Run Alembic from Python: the only way Tabik's schema is made or removed.

Never called implicitly at start-up; the launcher (and tests) call
``upgrade`` explicitly, e.g. through ``python -m bot.cli db upgrade``.
"""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.adapters.db.engine import make_engine
from bot.config import PROJECT_ROOT

log = logging.getLogger(__name__)

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config() -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The caller's logging stays as it is (alembic.ini's fileConfig would replace it).
    config.attributes["skip_logging_config"] = True
    return config


def _run(database_url: str, action: str, revision: str) -> None:
    config = alembic_config()
    engine = make_engine(database_url)
    try:
        # begin(): the migration's transaction is committed here (DDL is transactional
        # on PostgreSQL, so a failed migration leaves the schema as it was).
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    finally:
        engine.dispose()
    log.info("database %s to %s done", action, revision)


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at ``database_url`` up to ``revision`` (default: the newest)."""
    _run(database_url, "upgrade", revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate down to ``revision`` (``"base"`` removes every Tabik table)."""
    _run(database_url, "downgrade", revision)


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
