"""The main menu from ``bot/data/menu.yml``: numbered lines and a button per service."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import numbered
from actions.tracker import latest_text
from bot.domain.conversation import requested_services
from bot.domain.vocabulary import load_yaml


@lru_cache(maxsize=1)
def main_menu() -> dict[str, Any]:
    return dict(load_yaml("menu.yml"))


def offer_other_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, answered: str
) -> str | None:
    """A message with two requests: after answering one, offer the other as a button.

    Returns the intent offered (None when the message named no other service).
    """
    titles = {str(item["intent"]): str(item["title"]) for item in main_menu()["items"]}
    other = next(
        (
            intent
            for intent in requested_services(latest_text(tracker))
            if intent != answered and intent in titles
        ),
        None,
    )
    if other is not None:
        dispatcher.utter_message(
            response="utter_offer_other_request",
            service=titles[other],
            buttons=[{"title": titles[other], "payload": f"/{other}"}],
        )
    return other


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
