"""The house rules of the wiring, read from the source: one module reads the environment,
one makes connections, and no module of the wiring grows past 400 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from bot.config import PROJECT_ROOT

PACKAGES = ("bot", "channels", "console", "actions")

# Entry points may hand the environment on (``rasa_arguments(argv, os.environ)``).
READS_THE_ENVIRONMENT = {"bot/config.py"}
ENTRY_POINTS = "bot/entrypoints/"

# Calls that make an engine, a session factory, a Redis client, a key-value store, a
# rate limiter or a readiness probe (which holds its own connection).
CONNECTION_MAKERS = frozenset(
    {
        "create_engine",
        "create_async_engine",
        "engine_from_config",
        "make_engine",
        "sessionmaker",
        "make_session_factory",
        "Redis",
        "StrictRedis",
        "from_url",
        "create_store",
        "RedisStore",
        "MemoryStore",
        "create_rate_limiter",
        "RedisRateLimiter",
        "MemoryRateLimiter",
        "DatabaseProbe",
        "RedisProbe",
        "dependency_probes",
    }
)
MAKES_CONNECTIONS = {
    "bot/bootstrap/system.py",
    "bot/bootstrap/processes.py",
    "bot/bootstrap/admin.py",
    # Where each kind is defined: the factory, or the adapter that is the client.
    "bot/adapters/db/engine.py",
    "bot/adapters/kv.py",
    "bot/adapters/rate_limit.py",
    "bot/adapters/health.py",
    # Built by Rasa from the generated endpoints.yml, not by Tabik.
    "bot/adapters/lock_store.py",
    # Alembic runs the migrations on an engine of its own.
    "bot/adapters/db/migrate.py",
}

# Modules still to be moved onto bot.config and bot.bootstrap by the refactors that own
# them. Each test fails when one of these is clean: take it off the list then.
NOT_YET_SETTINGS: set[str] = set()
NOT_YET_BOOTSTRAP: set[str] = set()


def modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            name = path.relative_to(PROJECT_ROOT).as_posix()
            yield name, ast.parse(path.read_text(encoding="utf-8"), filename=name)


def reads_environment(tree: ast.Module) -> list[int]:
    """Lines that touch ``os.environ``/``os.getenv`` or import them from ``os``."""
    lines = []
    # Handing the whole environment on (``environment=os.environ``) is not reading it.
    passed_on = {
        id(arg)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        for arg in [*call.args, *(k.value for k in call.keywords)]
    }
    for node in ast.walk(tree):
        if id(node) in passed_on:
            continue
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv", "environb", "putenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if {a.name for a in node.names} & {"environ", "getenv", "environb"}:
                lines.append(node.lineno)
    return sorted(lines)


def called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def makes_connections(tree: ast.Module) -> list[str]:
    """``name:line`` of each call that makes a connection (see CONNECTION_MAKERS)."""
    calls = [
        (node.lineno, called_name(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and called_name(node) in CONNECTION_MAKERS
    ]
    return [f"{name}:{line}" for line, name in sorted(calls)]


def test_only_the_settings_read_the_environment() -> None:
    found = {
        name: lines
        for name, tree in modules()
        if name not in READS_THE_ENVIRONMENT
        and not name.startswith(ENTRY_POINTS)
        and (lines := reads_environment(tree))
    }
    assert sorted(set(found) - NOT_YET_SETTINGS) == [], found
    assert sorted(NOT_YET_SETTINGS - set(found)) == [], "clean now: take it off NOT_YET_SETTINGS"


def test_only_the_composition_root_makes_connections() -> None:
    found = {
        name: calls
        for name, tree in modules()
        if name not in MAKES_CONNECTIONS and (calls := makes_connections(tree))
    }
    assert sorted(set(found) - NOT_YET_BOOTSTRAP) == [], found
    assert sorted(NOT_YET_BOOTSTRAP - set(found)) == [], "clean now: take it off NOT_YET_BOOTSTRAP"


def test_the_scans_see_what_they_look_for() -> None:
    """The two scans above find the forms they forbid (else they could never fail)."""
    source = ast.parse(
        "import os\nfrom os import getenv\nos.environ.get('A')\nos.getenv('B')\n"
        "make_engine(url)\nredis.asyncio.from_url(url)\nlimits.MemoryRateLimiter()\n"
        "run(env=os.environ)\n"
    )
    assert reads_environment(source) == [2, 3, 4]
    assert makes_connections(source) == ["make_engine:5", "from_url:6", "MemoryRateLimiter:7"]
