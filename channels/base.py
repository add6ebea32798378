"""What every Tabik input channel declares once: its name (``/webhooks/<name>/``).

``NamedInput`` answers Rasa's ``name()`` from the class's ``channel_name``;
``StandaloneInput`` is a channel built without credentials (operations, REST,
model swaps): credentials.yml lists it, with nothing under it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel


class NamedInput(InputChannel):
    channel_name: ClassVar[str]

    @classmethod
    def name(cls) -> str:
        return cls.channel_name


class StandaloneInput(NamedInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()
