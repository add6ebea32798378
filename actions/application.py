"""Applying for a population document (permohonan): application_form and its submission."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers
from actions.choices import slot_label
from actions.confirmation import (
    CONFIRMATION_SLOTS,
    CONFIRMED,
    ConfirmedForm,
    EditField,
    cancelled,
    filing_failed,
)
from actions.fields import NAME_MAX, NAME_MIN, choice_reader, normalise_phone, read_nik
from actions.forms import DRAFT_ID_SLOT, FAILURES_SLOT
from actions.information import render_offices, render_requirement
from actions.places import PlaceFields
from actions.services import services
from actions.tracker import identity_of, latest_text, slot_resets
from bot.domain import vocabulary
from bot.domain.errors import TabikError
from bot.domain.nik import mask_nik
from bot.services.views import ApplicationDraft

logger = logging.getLogger(__name__)

FORM = "application_form"
CONFIRM_SLOT = "application_confirmed"
APPLICATION_SLOTS = (
    "document_type",
    "nik",
    "full_name",
    "kabupaten_kota",
    "phone_number",
    *CONFIRMATION_SLOTS,
    CONFIRM_SLOT,
    DRAFT_ID_SLOT,
    FAILURES_SLOT,
    "requested_slot",
)
# "ubah": the fields utter_ask_application_form_edit_field numbers, in order.
EDIT_FIELDS = (
    EditField(("document_type",), {"dokumen", "jenis"}),
    EditField(("nik",), {"nik"}),
    EditField(("full_name",), {"nama"}),
    EditField(("kabupaten_kota",), {"kabupaten", "kota", "wilayah"}),
    EditField(("phone_number",), {"hp", "telepon", "nomor", "wa"}),
)


def plausible_name(text: str) -> str | None:
    cleaned = " ".join((text or "").split()).strip(" .,")
    letters = sum(ch.isalpha() for ch in cleaned)
    if not (NAME_MIN <= len(cleaned) <= NAME_MAX) or letters < NAME_MIN:
        return None
    if any(ch.isdigit() for ch in cleaned) or cleaned.startswith("/"):
        return None
    if not all(ch.isalpha() or ch in " .'-," for ch in cleaned):
        return None
    return cleaned.title() if cleaned.islower() or cleaned.isupper() else cleaned


class ValidateApplicationForm(ConfirmedForm, PlaceFields):
    free_text_slots = frozenset({"full_name"})
    readers = {
        "document_type": choice_reader("document_type"),
        "nik": read_nik,
        "full_name": plausible_name,
        "phone_number": normalise_phone,
    }
    confirm_slot = CONFIRM_SLOT
    edit_fields = EDIT_FIELDS

    def name(self) -> str:
        return "validate_application_form"

    def questions(self, tracker: Tracker) -> list[str]:
        return ["document_type", "nik", "full_name", "kabupaten_kota", "phone_number"]

    def extract_full_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self.extract_answer("full_name", tracker)
        if found or tracker.get_slot("full_name") is not None:
            return found
        # "mau bikin kk, nama saya Siti Aminah nik 1871…": the name is not asked again.
        if not self.fresh_turn(tracker) or self.is_interruption(tracker):
            return {}
        name = answers.stated_name(latest_text(tracker))
        return {"full_name": name} if name else {}


class ActionAskApplicationConfirmed(Action):
    """The summary to confirm, NIK masked: 1 Ya, kirim / 2 Ubah / 3 Batal."""

    def name(self) -> str:
        return "action_ask_application_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_application_summary",
            document=slot_label(tracker, "document_type"),
            nik_masked=mask_nik(str(tracker.get_slot("nik") or "")),
            full_name=tracker.get_slot("full_name") or "-",
            region=slot_label(tracker, "kabupaten_kota"),
            phone_number=tracker.get_slot("phone_number") or "-",
        )
        return []


class ActionSubmitApplication(Action):
    """Files the confirmed application, then the checklist and where/when to go."""

    def name(self) -> str:
        return "action_submit_application"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(CONFIRM_SLOT) != CONFIRMED:
            return cancelled(dispatcher, APPLICATION_SLOTS)
        draft = ApplicationDraft(
            document_type=str(tracker.get_slot("document_type")),
            nik=str(tracker.get_slot("nik")),
            full_name=str(tracker.get_slot("full_name")),
            kabupaten_kota=str(tracker.get_slot("kabupaten_kota")),
            phone_number=str(tracker.get_slot("phone_number")),
        )
        identity = identity_of(tracker)
        try:
            receipt = await services().apply_for_document(
                draft, identity=identity, idempotency_key=tracker.get_slot(DRAFT_ID_SLOT)
            )
        except (TabikError, OSError) as error:
            logger.exception(
                "application from %s not filed: %s", identity.masked(), type(error).__name__
            )
            return filing_failed(dispatcher, FORM, CONFIRM_SLOT)
        dispatcher.utter_message(
            response="utter_application_filed",
            ticket_number=receipt.number,
            document=vocabulary.label("document_type", draft.document_type),
        )
        if not render_requirement(dispatcher, draft.document_type):
            dispatcher.utter_message(response="utter_information_unavailable")
        dispatcher.utter_message(
            response="utter_application_where",
            region=vocabulary.label("kabupaten_kota", draft.kabupaten_kota),
        )
        render_offices(dispatcher, draft.kabupaten_kota, kind="disdukcapil")
        dispatcher.utter_message(response="utter_how_to_check", ticket_number=receipt.number)
        return slot_resets(APPLICATION_SLOTS)
