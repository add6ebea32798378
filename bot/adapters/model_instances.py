"""The running Rasa instances as model administration sees them (implements
:class:`bot.services.models.RasaInstances` over :mod:`bot.adapters.rasa_instances`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.rasa_instances import InstanceError, RasaInstance


@dataclass(frozen=True)
class RasaModelInstances:
    token: str | None = None  # RASA_API_TOKEN, sent to every instance

    def current_model(self, url: str) -> str | None:
        try:
            return RasaInstance(url, self.token).current_model()
        except InstanceError:
            return None

    def load(self, url: str, model_file: Path) -> dict[str, Any]:
        try:
            return RasaInstance(url, self.token).load(model_file)
        except InstanceError as error:
            return {"error": error.reason}
