"""``MenuResolver``: a bare menu number typed outside a form means that menu entry.

The main menu (``bot/data/menu.yml``) shows numbered lines; residents answer
"2", "no 2" or "pilih 2". Inside a form the form's validator reads the raw
text against the option list it showed, so this component only has to say
what the number means on the main menu.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.domain.menu import menu_choice, menu_intents
from bot.nlu.component import StatelessComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MenuResolver(StatelessComponent, IntentClassifier):
    """Overrides the intent of a bare main-menu number with that menu entry's intent."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            number = menu_choice(message.get(TEXT) or "")
            intent = menu_intents().get(number) if number is not None else None
            if intent is None:
                continue
            chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                r
                for r in (message.get(INTENT_RANKING_KEY) or [])
                if r.get(INTENT_NAME_KEY) != intent
            ]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [chosen, *[{**r, PREDICTED_CONFIDENCE_KEY: 0.0} for r in ranking]],
                add_to_output=True,
            )
            message.set("menu_choice", number, add_to_output=True)
        return messages
