"""An action that fails, for checking what the action server says about it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionThatFails(Action):
    def name(self) -> str:
        return "action_that_fails"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        raise RuntimeError(f"lookup failed for {tracker.get_slot('nik')}")
