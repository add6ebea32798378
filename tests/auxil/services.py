"""Reaching the real PostgreSQL and Redis servers from tests.

A missing service skips its tests with a loud reason, except under
``REQUIRE_SERVICES=1`` (CI), where it fails them: CI must never pass by
skipping what it was meant to check.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import text

DEFAULT_DATABASE_URL = "postgresql://postgres@localhost:5432/test"
DEFAULT_REDIS_URL = "redis://localhost:6379/15"


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


def postgres_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL)


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "localhost", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def unavailable(name: str, url: str) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) because a service cannot be reached."""
    host = urlsplit(url).hostname
    message = (
        f"!!! {name} is not reachable at {host}: its integration tests did NOT run. "
        f"Start it or set the TEST_* URL."
    )
    if services_required():
        pytest.fail(message + " (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


def require_postgres() -> str:
    url = postgres_url()
    if not _reachable(url, 5432):
        unavailable("PostgreSQL", url)
    return url


def require_redis() -> str:
    url = redis_url()
    if not _reachable(url, 6379):
        unavailable("Redis", url)
    return url


def unique_name(prefix: str) -> str:
    """A name no other test run uses (schemas, key prefixes)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def postgres_schema(prefix: str = "tabik_test") -> Iterator[str]:
    """A migrated schema of its own on the test PostgreSQL (a URL into it), dropped after."""
    from bot.adapters.db import migrate
    from bot.adapters.db.engine import make_engine

    server = require_postgres()
    schema = unique_name(prefix)
    admin = make_engine(server)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        option = quote(f"-csearch_path={schema}")
        url = f"{server}{'&' if '?' in server else '?'}options={option}"
        migrate.upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
