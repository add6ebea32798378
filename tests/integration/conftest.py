"""Database fixtures: the real PostgreSQL in an own schema per test session, and SQLite files.

Schemas are made by the Alembic migrations only. A missing PostgreSQL skips
loudly (fails under REQUIRE_SERVICES=1), see tests/auxil/services.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine, make_session_factory
from bot.adapters.db.message_queue import outbox_on
from bot.adapters.db.uow import SqlAlchemyUnitOfWork
from bot.adapters.kv import MemoryStore
from bot.services.tabik import Tabik
from tests.auxil.outbox import Clock
from tests.auxil.services import require_postgres, unique_name


def in_schema(url: str, schema: str) -> str:
    """The URL with libpq's search_path option, so every connection works in ``schema``."""
    option = quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    return require_postgres()


@pytest.fixture(scope="session")
def _postgres_admin(postgres_server_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_server_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema_factory(
    _postgres_admin: Engine, postgres_server_url: str
) -> Iterator[Callable[[], str]]:
    """Makes empty schemas (URLs into them); every one is dropped at the end of the session."""
    made: list[str] = []

    def make() -> str:
        schema = unique_name("tabik_test")
        with _postgres_admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return in_schema(postgres_server_url, schema)

    yield make
    for schema in made:
        # One transaction per schema: dropping them all in one takes a lock per table of
        # every schema at once, more than PostgreSQL's lock table holds ("out of shared
        # memory"), and then none is dropped.
        with _postgres_admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def postgres_url(postgres_schema_factory: Callable[[], str]) -> str:
    """A migrated schema shared by the session's tests (they use their own chat accounts)."""
    url = postgres_schema_factory()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tabik.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on both databases."""
    return request.getfixturevalue(
        "postgres_url" if request.param == "postgresql" else "sqlite_url"
    )


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> Callable[[], SqlAlchemyUnitOfWork]:
    return functools.partial(SqlAlchemyUnitOfWork, make_session_factory(engine))


@pytest.fixture
def tabik(uow_factory: Callable[[], SqlAlchemyUnitOfWork], engine: Engine) -> Tabik:
    return Tabik(
        uow_factory,
        store=MemoryStore(prefix=unique_name("test") + ":"),
        messenger=outbox_on(engine),
    )


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """An empty database of the asked kind, for migration tests."""

    def make(kind: str) -> str:
        if kind == "postgresql":
            return request.getfixturevalue("postgres_schema_factory")()
        return f"sqlite:///{tmp_path / 'empty.db'}"

    return make


@pytest.fixture
def clock() -> Clock:
    """The tests' own clock (starts at a fixed instant; ``advance`` moves it)."""
    return Clock()
