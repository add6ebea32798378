"""Requirements for a document and service offices (forms alone, answers in digressions)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import ask_choice
from actions.fields import choice_reader
from actions.forms import FAILURES_SLOT, TabikFormValidator
from actions.menu import offer_other_request
from actions.places import PlaceFields
from actions.services import services
from actions.tracker import entity_value, remember, slot_resets
from bot.domain import vocabulary
from bot.domain.errors import NotConfigured
from bot.domain.knowledge import UnknownDocumentType, UnknownRegion

logger = logging.getLogger(__name__)


def render_requirement(dispatcher: CollectingDispatcher, document_type: str) -> bool:
    """Utter the checklist for a document; False (and nothing said) if it is unknown."""
    try:
        requirement = services().requirement(document_type)
    except (NotConfigured, UnknownDocumentType) as missing:
        logger.error("no requirements for %s: %s", document_type, missing)
        return False
    dispatcher.utter_message(
        response="utter_requirements",
        label=requirement.label,
        items="\n".join(f"• {item}" for item in requirement.items),
        where=requirement.where,
        duration=requirement.duration,
        fee=requirement.fee,
    )
    if requirement.notes:
        dispatcher.utter_message(
            response="utter_requirements_notes",
            notes="\n".join(f"• {note}" for note in requirement.notes),
        )
    return True


def render_offices(
    dispatcher: CollectingDispatcher, kabupaten_kota: str, *, kind: str | None = None
) -> bool:
    """Utter each office of a kabupaten/kota (address, hours with times, phone)."""
    try:
        listing = services().offices(kabupaten_kota, kind=kind)
    except (NotConfigured, UnknownRegion) as missing:
        logger.error("no offices for %s: %s", kabupaten_kota, missing)
        return False
    if not listing.offices:
        return False
    for office in listing.offices:
        hours = "\n".join(f"{entry.days}: {entry.hours}" for entry in office.hours)
        dispatcher.utter_message(
            response="utter_office_info" if office.phone else "utter_office_info_no_phone",
            office_name=office.name,
            address=office.address,
            hours=hours,
            phone=office.phone or "",
        )
        if office.note:
            dispatcher.utter_message(response="utter_office_note", note=office.note)
    if listing.region_note:
        dispatcher.utter_message(response="utter_office_note", note=listing.region_note)
    return True


def _only_this_flow(tracker: Tracker) -> bool:
    """No other form is waiting: slots used here can be cleared after answering."""
    return tracker.active_loop_name is None


class ValidateRequirementsForm(TabikFormValidator):
    own_intents = frozenset({"ask_requirements"})
    readers = {"document_type": choice_reader("document_type")}

    def name(self) -> str:
        return "validate_requirements_form"


class ValidateOfficeForm(PlaceFields):
    own_intents = frozenset({"ask_office_info"})

    def name(self) -> str:
        return "validate_office_form"


class ActionRequirements(Action):
    """Requirements for the document in this message or slot; else offer the list as buttons."""

    def name(self) -> str:
        return "action_requirements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        document_type = entity_value(tracker, "document_type") or tracker.get_slot("document_type")
        if document_type not in vocabulary.values("document_type"):
            # Asked in the middle of another form: buttons carry the answer.
            ask_choice(dispatcher, "document_type", intent="ask_requirements")
            return []
        if not render_requirement(dispatcher, document_type):
            dispatcher.utter_message(response="utter_information_unavailable")
        if not _only_this_flow(tracker):
            return []
        offer_other_request(dispatcher, tracker, answered="ask_requirements")
        # "kalo kk?" or "mau ajuin sekarang" next refers to this document.
        return [
            *slot_resets(("document_type", FAILURES_SLOT)),
            remember("requirements", document_type=document_type),
        ]


class ActionOfficeInfo(Action):
    """Offices of the kabupaten/kota in this message or slot; else offer the list as buttons."""

    def name(self) -> str:
        return "action_office_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        region: Any = entity_value(tracker, "kabupaten_kota") or tracker.get_slot("kabupaten_kota")
        if region not in vocabulary.values("kabupaten_kota"):
            ask_choice(dispatcher, "kabupaten_kota", intent="ask_office_info")
            return []
        dispatcher.utter_message(
            response="utter_office_intro", region=vocabulary.label("kabupaten_kota", region)
        )
        if not render_offices(dispatcher, region):
            dispatcher.utter_message(response="utter_information_unavailable")
        if not _only_this_flow(tracker):
            return []
        offer_other_request(dispatcher, tracker, answered="ask_office_info")
        return [
            *slot_resets(("kabupaten_kota", FAILURES_SLOT)),
            remember("offices", kabupaten_kota=region),
        ]
