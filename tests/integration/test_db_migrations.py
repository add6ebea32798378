"""The Alembic migrations make (and remove) exactly the schema the ORM maps."""

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.orm import metadata

TABLES = {
    "residents",
    "chat_identities",
    "officers",
    "tickets",
    "attachments",
    "status_changes",
    "audit_log",
    "handoff_requests",
    "notifications",
    "inbound_messages",
    "outbox",
}


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_migrations_go_up_match_the_mapping_and_come_back_down(
    kind: str, empty_database_url: Callable[[str], str]
) -> None:
    url = empty_database_url(kind)
    assert migrate.current_revision(url) is None

    migrate.upgrade(url)

    assert migrate.current_revision(url) == migrate.head_revision()
    assert table_names(url) >= TABLES
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()

    migrate.downgrade(url, "base")

    assert migrate.current_revision(url) is None
    assert table_names(url) & TABLES == set()
    migrate.upgrade(url)  # and up again: downgrades leave nothing behind that blocks it
    assert table_names(url) >= TABLES


def test_the_cli_migrates_the_database_named_by_database_url(
    empty_database_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot import cli

    url = empty_database_url("postgresql")
    monkeypatch.setenv("DATABASE_URL", url)

    assert cli.main(["db", "upgrade"]) == 0
    assert migrate.current_revision(url) == migrate.head_revision()
    assert cli.main(["db", "downgrade", "base"]) == 0
    assert migrate.current_revision(url) is None
    head = migrate.head_revision()
    assert head is not None and head in capsys.readouterr().out
