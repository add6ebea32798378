"""What every Tabik input channel declares once: its name (``/webhooks/<name>/``).

``NamedInput`` answers Rasa's ``name()`` from the class's ``channel_name`` and
starts its blueprint with the health route;
``StandaloneInput`` is a channel built without credentials (operations, REST,
model swaps): credentials.yml lists it, with nothing under it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class NamedInput(InputChannel):
    channel_name: ClassVar[str]

    @classmethod
    def name(cls) -> str:
        return cls.channel_name

    def health_blueprint(self) -> Blueprint:
        """The channel's blueprint with its health route ``GET /``; the channel adds the rest."""
        blueprint = Blueprint(f"tabik_{self.name()}_webhook", type(self).__module__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return blueprint


class StandaloneInput(NamedInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()
