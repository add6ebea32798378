"""What the console runs on (handed in by its entry point) and the keys views find it under."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.bootstrap import StaffServices
from bot.services.models import ModelService
from bot.services.nlu_inbox import NluInbox
from console.admin_tools import AdminTools
from console.settings import ConsoleSettings

__all__ = ["ADMIN_TOOLS", "ORIGIN", "SERVICES", "SETTINGS", "USER", "ConsoleParts"]


@dataclass(frozen=True)
class ConsoleParts:
    staff: StaffServices
    settings: ConsoleSettings
    # The admins' NLU inbox and model administration; without them their pages answer 503.
    nlu_inbox: NluInbox | None = None
    models: ModelService | None = None


SERVICES = web.AppKey("services", StaffServices)
SETTINGS = web.AppKey("settings", ConsoleSettings)
ADMIN_TOOLS = web.AppKey("admin_tools", AdminTools)
# Request keys: the logged-in account, and the client's origin once worked out.
USER = "user"
ORIGIN = "origin"
