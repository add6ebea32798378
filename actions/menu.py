"""The main menu from ``bot/data/menu.yml``: numbered lines and a button per service."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import numbered
from bot.domain.vocabulary import load_yaml


@lru_cache(maxsize=1)
def main_menu() -> dict[str, Any]:
    return dict(load_yaml("menu.yml"))


class ActionShowMenu(Action):
    def name(self) -> str:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        menu = main_menu()
        items = sorted(menu["items"], key=lambda item: int(item["number"]))
        dispatcher.utter_message(
            response="utter_menu",
            header=menu["header"],
            options=numbered(item["title"] for item in items),
            footer=menu["footer"],
            buttons=[{"title": item["title"], "payload": f"/{item['intent']}"} for item in items],
        )
        return []
