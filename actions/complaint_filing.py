"""A complaint's summary and its filing: what the resident confirms and what is filed."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import slot_label
from actions.complaint import (
    COMPLAINT_SLOTS,
    CONFIRM_SLOT,
    FORM,
    PHOTO_LATER,
    SKIPPED,
    read_coordinate,
)
from actions.confirmation import CONFIRMED, cancelled, filing_failed
from actions.formatting import response_text
from actions.forms import DRAFT_ID_SLOT
from actions.services import services
from actions.tracker import identity_of, slot_resets
from bot.domain.attachments import is_platform_ref
from bot.domain.errors import DailyLimitReached, TabikError
from bot.services.views import Attachment, ComplaintDraft

logger = logging.getLogger(__name__)


def location_line(tracker: Tracker, domain: DomainDict) -> str:
    if tracker.get_slot("latitude") is not None:
        return response_text(
            domain,
            "utter_fragment_location_pin",
            latitude=tracker.get_slot("latitude"),
            longitude=tracker.get_slot("longitude"),
            place=tracker.get_slot("location_text") or "",
        )
    desa = tracker.get_slot("desa")
    return response_text(
        domain,
        "utter_fragment_location"
        if desa and desa != SKIPPED
        else "utter_fragment_location_no_desa",
        desa=desa,
        kecamatan=tracker.get_slot("kecamatan") or "-",
        region=slot_label(tracker, "kabupaten_kota"),
    )


class ActionAskComplaintConfirmed(Action):
    """The summary to confirm: 1 Ya, kirim / 2 Ubah / 3 Batal."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        photo = tracker.get_slot("attachment_id")
        private = tracker.get_slot("complaint_private") is not False
        dispatcher.utter_message(
            response="utter_complaint_summary",
            category=slot_label(tracker, "complaint_category"),
            location=location_line(tracker, domain),
            description=tracker.get_slot("description") or "-",
            photo=response_text(domain, photo_fragment(photo)),
            privacy=response_text(
                domain,
                "utter_fragment_private_yes" if private else "utter_fragment_private_no",
            ),
        )
        return []


class ActionSubmitComplaint(Action):
    """Files the confirmed complaint (idempotent by draft id) and says what happens next."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(CONFIRM_SLOT) != CONFIRMED:
            return cancelled(dispatcher, COMPLAINT_SLOTS)
        draft = complaint_draft(tracker)
        identity = identity_of(tracker)
        key = tracker.get_slot(DRAFT_ID_SLOT)
        try:
            receipt = await services().file_complaint(draft, identity=identity, idempotency_key=key)
        except DailyLimitReached as error:
            logger.warning("complaint from %s refused: daily limit", identity.masked())
            dispatcher.utter_message(response="utter_complaint_daily_limit", limit=error.limit)
            # Nothing to retry today: the answers are let go, as when the resident cancels.
            return slot_resets(COMPLAINT_SLOTS)
        except (TabikError, OSError) as error:
            logger.exception(
                "complaint from %s not filed: %s", identity.masked(), type(error).__name__
            )
            return filing_failed(dispatcher, FORM, CONFIRM_SLOT)
        dispatcher.utter_message(response="utter_complaint_filed", ticket_number=receipt.number)
        dispatcher.utter_message(
            response="utter_complaint_private" if draft.private else "utter_complaint_shared"
        )
        dispatcher.utter_message(response="utter_complaint_next_steps")
        if tracker.get_slot("attachment_id") == PHOTO_LATER:
            dispatcher.utter_message(
                response="utter_complaint_photo_later", ticket_number=receipt.number
            )
        dispatcher.utter_message(response="utter_how_to_check", ticket_number=receipt.number)
        return slot_resets(COMPLAINT_SLOTS)


def photo_fragment(value: Any) -> str:
    if value == PHOTO_LATER:
        return "utter_fragment_photo_later"
    return "utter_fragment_photo_no" if value in (None, SKIPPED) else "utter_fragment_photo_yes"


def complaint_draft(tracker: Tracker) -> ComplaintDraft:
    def text(slot: str) -> str | None:
        value = tracker.get_slot(slot)
        return None if value in (None, "", SKIPPED, PHOTO_LATER) else str(value)

    attachments: tuple[Attachment, ...] = ()
    attachment_id = text("attachment_id")
    if is_platform_ref(attachment_id):
        info = tracker.get_slot("attachment_info") or {}
        attachments = (
            Attachment(
                kind=str(info.get("kind") or "photo"),
                ref=str(attachment_id),
                mime_type=info.get("mime_type"),
                caption=info.get("caption"),
            ),
        )
    return ComplaintDraft(
        category=str(tracker.get_slot("complaint_category")),
        description=str(tracker.get_slot("description") or ""),
        kabupaten_kota=text("kabupaten_kota"),
        kecamatan=text("kecamatan"),
        desa=text("desa"),
        location_text=text("location_text"),
        latitude=read_coordinate(tracker.get_slot("latitude")) if text("latitude") else None,
        longitude=read_coordinate(tracker.get_slot("longitude")) if text("longitude") else None,
        attachments=attachments,
        private=tracker.get_slot("complaint_private") is not False,
    )
