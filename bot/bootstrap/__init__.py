"""The composition root: the one package that turns :class:`bot.config.Settings` into parts.

Engines, key-value stores, rate limiters, units of work, the outbox and the queues
are made here alone. Each entry point asks once: Rasa's webhook channels
:func:`for_channels`, the action server :func:`action_server`, the staff console
:func:`for_console`, the command line :func:`for_cli` (and the ``build_*`` functions),
the retention worker :func:`build_personal_data`, the escalation worker
:func:`build_escalation`. Nothing happens at import time and
nothing migrates (``python -m bot.cli db upgrade`` does, before the servers start).

``system`` builds the system of record's services, ``processes`` the long-running
processes' parts, ``admin`` the operators'.
"""

from bot.bootstrap.admin import CliParts, build_model_service, build_nlu_inbox, for_cli
from bot.bootstrap.processes import (
    ActionServerParts,
    ChannelParts,
    ChannelStores,
    action_server,
    channel_stores,
    for_action_server,
    for_channels,
    install_action_server,
    readiness_probes,
)
from bot.bootstrap.system import (
    StaffServices,
    assemble_staff_services,
    build_escalation,
    build_outbox,
    build_personal_data,
    build_services,
    build_staff_services,
    close_personal_data,
    for_console,
)

__all__ = [
    "ActionServerParts",
    "ChannelParts",
    "ChannelStores",
    "CliParts",
    "StaffServices",
    "action_server",
    "assemble_staff_services",
    "build_escalation",
    "build_model_service",
    "build_nlu_inbox",
    "build_outbox",
    "build_personal_data",
    "build_services",
    "build_staff_services",
    "channel_stores",
    "close_personal_data",
    "for_action_server",
    "for_channels",
    "for_cli",
    "for_console",
    "install_action_server",
    "readiness_probes",
]
