"""Vehicle tax (PKB) by plate number: tax_form asks the plate when it is missing."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.formatting import display_date, rupiah
from actions.forms import FAILURES_SLOT, Rejected, TabikFormValidator
from actions.public_data import PublicDataAction
from actions.services import services
from actions.tracker import remember
from bot.domain.conversation import plate_province
from bot.domain.errors import PlateNotFound
from bot.domain.readings import PLATE_SHAPE, canonical_plate

TAX_SLOTS = ("plate_number", FAILURES_SLOT, "requested_slot")
LAMPUNG_PLATE_REGION = "BE"


def read_tax_plate(text: str) -> str | None:
    """A Lampung plate, also inside a sentence ("plat sy BE 1234 AB").

    A valid plate of another province is refused with where its tax is paid
    (its own province's Samsat), not as a malformed number.
    """
    plate = next(
        (p for m in PLATE_SHAPE.finditer(text or "") if (p := canonical_plate(m.group(0)))), None
    )
    if plate is None:
        return None
    if plate.split(" ")[0] != LAMPUNG_PLATE_REGION:
        raise Rejected("utter_plate_not_lampung", plate=plate, province=plate_province(plate))
    return plate


class ValidateTaxForm(TabikFormValidator):
    own_intents = frozenset({"check_tax"})
    readers = {"plate_number": read_tax_plate}

    def name(self) -> str:
        return "validate_tax_form"


class ActionCheckTax(PublicDataAction):
    slots = TAX_SLOTS
    unavailable_response = "utter_upstream_down_tax"
    intent = "check_tax"

    def name(self) -> str:
        return "action_check_tax"

    def remembered(self, tracker: Tracker) -> EventType | None:
        return remember("tax")

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
