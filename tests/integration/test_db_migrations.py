"""The Alembic migrations make (and remove) exactly the schema the ORM maps, migration
0002 (notification attempts) goes up over existing rows and comes back down, and 0012
drops the notifications table (its downgrade makes it again, as 0011 had it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.orm import metadata

TABLES = {
    "agencies",
    "routing_rules",
    "ticket_transfers",
    "residents",
    "chat_identities",
    "officers",
    "tickets",
    "attachments",
    "status_changes",
    "audit_log",
    "handoff_requests",
    "inbound_messages",
    "outbox",
}
# Added to ``notifications`` by 0002.
NEW_COLUMNS = {"attempts", "last_error", "next_attempt_at", "failed_at"}
AT = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, empty_database_url: Callable[[str], str]) -> str:
    """An empty database of each kind."""
    return empty_database_url(request.param)


@contextmanager
def engine_at(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    with engine_at(url) as engine:
        return set(inspect(engine).get_table_names())


def notification_columns(url: str) -> set[str]:
    with engine_at(url) as engine:
        return {column["name"] for column in inspect(engine).get_columns("notifications")}


def index_names(url: str) -> set[str]:
    with engine_at(url) as engine:
        return {index["name"] for index in inspect(engine).get_indexes("notifications")}


def insert_notification(url: str) -> None:
    """A ticket and its pending notification, written as revision 0001 knew them."""
    with engine_at(url) as engine, engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tickets (id, number, kind, status, private, created_at,"
                " updated_at) VALUES (1, 'ADU-261201-7KQ2', 'ADU', 'diterima', :yes, :at, :at)"
            ),
            {"yes": True, "at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO notifications (id, ticket_id, status, payload, created_at)"
                " VALUES (1, 1, 'pending', :payload, :at)"
            ),
            {"payload": '{"number": "ADU-261201-7KQ2", "status": "diverifikasi"}', "at": AT},
        )


def notification_rows(url: str, columns: str) -> list[tuple[object, ...]]:
    with engine_at(url) as engine, engine.connect() as connection:
        return [
            tuple(row) for row in connection.execute(text(f"SELECT {columns} FROM notifications"))
        ]


def test_migrations_go_up_match_the_mapping_and_come_back_down(url: str) -> None:
    assert migrate.current_revision(url) is None

    migrate.upgrade(url)

    assert migrate.current_revision(url) == migrate.head_revision()
    assert table_names(url) >= TABLES
    with engine_at(url) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []

    migrate.downgrade(url, "base")

    assert migrate.current_revision(url) is None
    assert table_names(url) & TABLES == set()
    migrate.upgrade(url)  # and up again: downgrades leave nothing behind that blocks it
    assert table_names(url) >= TABLES


def test_0002_adds_the_attempt_columns_keeping_rows_and_downgrades_cleanly(url: str) -> None:
    migrate.upgrade(url, "0001")
    insert_notification(url)
    assert notification_columns(url) & NEW_COLUMNS == set()

    migrate.upgrade(url, "0002")

    assert migrate.current_revision(url) == "0002"
    assert notification_columns(url) >= NEW_COLUMNS
    assert "ix_notifications_status_created" in index_names(url)
    # The row written before the migration starts with no attempts made.
    assert notification_rows(url, "id, status, attempts, last_error, failed_at") == [
        (1, "pending", 0, None, None)
    ]

    migrate.downgrade(url, "0001")

    assert migrate.current_revision(url) == "0001"
    assert notification_columns(url) & NEW_COLUMNS == set()
    assert "ix_notifications_status_created" in index_names(url)
    assert notification_rows(url, "id, status") == [(1, "pending")]

    migrate.upgrade(url, "0002")  # and up again
    assert notification_columns(url) >= NEW_COLUMNS


def test_0012_drops_the_notifications_and_its_downgrade_makes_them_again(url: str) -> None:
    migrate.upgrade(url, "0011")
    columns_before, indexes_before = notification_columns(url), index_names(url)

    migrate.upgrade(url, "0012")

    assert "notifications" not in table_names(url)
    assert "outbox" in table_names(url)  # where status notices go now

    migrate.downgrade(url, "0011")

    assert migrate.current_revision(url) == "0011"
    assert notification_columns(url) == columns_before
    assert index_names(url) == indexes_before
    insert_notification(url)  # the table takes rows as before
    assert notification_rows(url, "id, status, attempts") == [(1, "pending", 0)]
    migrate.upgrade(url)
    assert "notifications" not in table_names(url)


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
