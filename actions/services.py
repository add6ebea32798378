"""How an action reaches the services: the residents' services and the handoff desk.

Each is built on first use, never at import time; tests swap a provider for a
fake or for real services on a temporary database. Actions see the
``ResidentServices`` Protocol (typed methods, typed results) and the desk that
relays a resident's messages to an officer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.services.ports import ResidentServices

if TYPE_CHECKING:
    from bot.services.handoff_desk import HandoffDesk


def _default_services() -> ResidentServices:
    # Imported here: the composition root pulls in the database and HTTP adapters.
    from bot.bootstrap import action_server

    return action_server().services


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


def _default_desk() -> HandoffDesk:
    from bot.bootstrap import action_server

    return action_server().handoffs


_desk_factory: Callable[[], HandoffDesk] = _default_desk


def handoff_desk() -> HandoffDesk:
    return _desk_factory()


def set_handoff_desk_factory(factory: Callable[[], HandoffDesk]) -> Callable[[], HandoffDesk]:
    """Swap the handoff desk provider (tests); returns the previous one to restore."""
    global _desk_factory
    previous = _desk_factory
    _desk_factory = factory
    return previous
