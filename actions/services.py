"""How an action reaches the services: one provider, built on first use.

Never built at import time; tests swap the provider for a fake or for real
services on a temporary database. Actions see only the ``ResidentServices``
Protocol: typed methods, typed results.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.services.ports import ResidentServices


def _default_services() -> ResidentServices:
    # Imported here: the composition root pulls in the database and HTTP adapters.
    from bot.bootstrap import services as build

    return build()


_services_factory: Callable[[], ResidentServices] = _default_services


def services() -> ResidentServices:
    return _services_factory()


def set_services_factory(
    factory: Callable[[], ResidentServices],
) -> Callable[[], ResidentServices]:
    """Swap the services provider (tests); returns the previous one to restore."""
    global _services_factory
    previous = _services_factory
    _services_factory = factory
    return previous
