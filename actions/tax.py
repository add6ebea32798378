"""Vehicle tax (PKB) by plate number: tax_form asks the plate when it is missing."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import FAILURES_SLOT, TabikFormValidator, display_date, rupiah, services
from actions.fields import read_plate
from actions.public_data import PublicDataAction
from bot.domain.errors import PlateNotFound

TAX_SLOTS = ("plate_number", FAILURES_SLOT, "requested_slot")


class ValidateTaxForm(TabikFormValidator):
    readers = {"plate_number": read_plate}

    def name(self) -> str:
        return "validate_tax_form"


class ActionCheckTax(PublicDataAction):
    slots = TAX_SLOTS
    unavailable_response = "utter_upstream_down_tax"

    def name(self) -> str:
        return "action_check_tax"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> None:
        plate = str(tracker.get_slot("plate_number") or "")
        try:
            tax = await services().vehicle_tax(plate)
        except PlateNotFound:
            dispatcher.utter_message(response="utter_plate_not_found", plate=plate)
            return
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
