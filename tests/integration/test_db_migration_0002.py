"""Migration 0002 (notification attempts) goes up over existing rows and comes back down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, text

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine

NEW_COLUMNS = {"attempts", "last_error", "next_attempt_at", "failed_at"}
AT = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def notification_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("notifications")}
    finally:
        engine.dispose()


def index_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {index["name"] for index in inspect(engine).get_indexes("notifications")}
    finally:
        engine.dispose()


def insert_notification(url: str) -> None:
    """A ticket and its pending notification, written as revision 0001 knew them."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
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
    finally:
        engine.dispose()


def notification_rows(url: str, columns: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(text(f"SELECT {columns} FROM notifications"))
            ]
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_0002_adds_the_attempt_columns_keeping_rows_and_downgrades_cleanly(
    kind: str, empty_database_url: Callable[[str], str]
) -> None:
    url = empty_database_url(kind)
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
