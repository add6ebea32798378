"""Vehicle tax (PKB) by plate number: tax_form asks the plate when it is missing."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import FAILURES_SLOT, display_date, rupiah, services, slot_resets
from actions.fields import PlateField
from bot.domain.errors import PlateNotFound, UpstreamError

logger = logging.getLogger(__name__)

TAX_SLOTS = ("plate_number", FAILURES_SLOT, "requested_slot")


class ValidateTaxForm(PlateField):
    own_intents = frozenset({"check_tax"})

    def name(self) -> str:
        return "validate_tax_form"


class ActionCheckTax(Action):
    def name(self) -> str:
        return "action_check_tax"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        plate = str(tracker.get_slot("plate_number") or "")
        try:
            tax = await services().vehicle_tax(plate)
        except PlateNotFound:
            dispatcher.utter_message(response="utter_plate_not_found", plate=plate)
            return slot_resets(TAX_SLOTS)
        except UpstreamError as error:
            logger.error("vehicle tax lookup failed: %s (status %s)", error.reason, error.status)
            dispatcher.utter_message(response="utter_upstream_down_tax")
            return slot_resets(TAX_SLOTS)
        dispatcher.utter_message(
            response="utter_tax_result",
            plate=tax.plate,
            vehicle=tax.vehicle,
            amount=rupiah(tax.amount),
            due_date=display_date(tax.due_date),
            fine=rupiah(tax.fine),
            total=rupiah(tax.total),
            source=tax.source,
        )
        if tax.is_demo:
            dispatcher.utter_message(response="utter_demo_data")
        dispatcher.utter_message(response="utter_tax_how_to_pay")
        return slot_resets(TAX_SLOTS)
