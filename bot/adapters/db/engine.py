"""Engines and session factories for the system of record (SQLite or PostgreSQL).

Built only when asked (bootstrap, CLI, tests); nothing connects at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.orm import Session, sessionmaker

from bot.adapters.db.orm import start_mappers

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def normalise_url(database_url: str) -> URL:
    """A SQLAlchemy URL; ``postgres://`` and ``postgresql://`` mean psycopg2."""
    url = make_url(database_url)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg2")
    return url


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy
        # docs, "Serializable isolation / Savepoints / Transactional DDL").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # WAL lets readers run beside the one writer; foreign keys are off by default.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not left in free pages: an erased resident's
            # NIK or phone must not survive in the file (docs/privacy.md).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
        # timeout instead of failing when a read transaction later tries to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(database_url: str, **options: Any) -> Engine:
    """An engine for DATABASE_URL: SQLite (file directory created) or PostgreSQL."""
    url = normalise_url(database_url)
    # SQL errors would otherwise quote their parameters (NIKs, phone numbers) in logs.
    options.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        connect_args.update(options.pop("connect_args", {}))
        engine = create_engine(url, future=True, connect_args=connect_args, **options)
        _configure_sqlite(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **options)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions for units of work; objects stay readable after commit (views are built then)."""
    start_mappers()
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)


def compact_sqlite(engine: Engine) -> bool:
    """On SQLite, rebuild the file and empty its write-ahead log, so deleted rows leave no
    trace in free pages or old log frames; False (nothing done) on other databases."""
    if engine.dialect.name != "sqlite":
        return False
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            # Outside any transaction: the engine's connections run in autocommit mode.
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.close()
    finally:
        raw.close()
    return True
