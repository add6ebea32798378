"""Food prices by commodity, in a kabupaten/kota or province-wide when no place is given."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fields import choice_reader
from actions.formatting import display_date, response_text, rupiah
from actions.forms import FAILURES_SLOT, TabikFormValidator
from actions.public_data import PublicDataAction
from actions.services import services
from actions.tracker import entity_value, remember
from bot.domain import vocabulary
from bot.domain.errors import CommodityNotFound

FOOD_PRICE_SLOTS = ("commodity", "kabupaten_kota", FAILURES_SLOT, "requested_slot")


class ValidateFoodPriceForm(TabikFormValidator):
    own_intents = frozenset({"ask_food_price"})
    readers = {"commodity": choice_reader("commodity")}

    def name(self) -> str:
        return "validate_food_price_form"

    def extract_commodity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self.extract_answer("commodity", tracker, entity="commodity")
        # The place is optional, so it is never asked: take it when it is said.
        region = entity_value(tracker, "kabupaten_kota") if self.fresh_turn(tracker) else None
        if region in vocabulary.values("kabupaten_kota"):
            found["kabupaten_kota"] = region
        return found


class ActionFoodPrice(PublicDataAction):
    slots = FOOD_PRICE_SLOTS
    unavailable_response = "utter_upstream_down_food_prices"
    intent = "ask_food_price"

    def name(self) -> str:
        return "action_food_price"

    def remembered(self, tracker: Tracker) -> EventType | None:
        region = tracker.get_slot("kabupaten_kota")
        if region not in vocabulary.values("kabupaten_kota"):
            region = None
        return remember(
            "food_price", commodity=tracker.get_slot("commodity"), kabupaten_kota=region
        )

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> None:
        commodity = str(tracker.get_slot("commodity") or "")
        region = tracker.get_slot("kabupaten_kota")
        if region not in vocabulary.values("kabupaten_kota"):
            region = None
        try:
            price = await services().food_prices(commodity, region)
        except CommodityNotFound:
            dispatcher.utter_message(
                response="utter_food_price_not_found",
                commodity=vocabulary.label("commodity", commodity),
            )
            return
        place = (
            vocabulary.label("kabupaten_kota", price.kabupaten_kota)
            if price.kabupaten_kota
            else response_text(domain, "utter_fragment_province")
        )
        dispatcher.utter_message(
            response="utter_food_price",
            commodity=price.label,
            price=rupiah(price.price),
            unit=price.unit,
            place=place,
            date=display_date(price.date),
            source=price.source,
        )
        if price.is_demo:
            dispatcher.utter_message(response="utter_demo_data")
