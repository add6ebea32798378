"""Filing a complaint (aduan): complaint_form, its validator and its questions.

The summary and the filing are in :mod:`actions.complaint_filing`.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import answers
from actions.choices import is_skip, yes_no
from actions.confirmation import (
    CONFIRMATION_SLOTS,
    ConfirmedForm,
    EditField,
)
from actions.fields import choice_reader
from actions.forms import DRAFT_ID_SLOT, FAILURES_SLOT
from actions.places import PLACE_OPTIONS_SLOT, ActionAskKabupatenKota, PlaceFields
from actions.tracker import (
    entity_value,
    latest_intent,
    latest_metadata,
    latest_text,
    platform_attachment,
)
from bot.domain.places import read_place

logger = logging.getLogger(__name__)

FORM = "complaint_form"
CONFIRM_SLOT = "complaint_confirmed"
LOCATION_SLOTS = (
    "kabupaten_kota",
    "kecamatan",
    "desa",
    "latitude",
    "longitude",
    "location_text",
    PLACE_OPTIONS_SLOT,
)
PHOTO_SLOTS = ("attachment_id", "attachment_info")
COMPLAINT_SLOTS = (
    "complaint_category",
    *LOCATION_SLOTS,
    "description",
    *PHOTO_SLOTS,
    "complaint_private",
    *CONFIRMATION_SLOTS,
    CONFIRM_SLOT,
    DRAFT_ID_SLOT,
    FAILURES_SLOT,
    "requested_slot",
)

DESCRIPTION_MIN_CHARS = 10
DESCRIPTION_MIN_LETTERS = 3
DESCRIPTION_MAX_CHARS = 2000
# Stored in a slot for "skipped" (a slot left None would be asked again).
SKIPPED = "-"
# The photo slot's value for "fotonya nyusul": filed without, sent later with the ticket number.
PHOTO_LATER = "nanti"

# Lampung's bounding box, with a margin: a pin outside it is almost surely a mistake.
LAMPUNG_LATITUDE = (-6.3, -3.5)
LAMPUNG_LONGITUDE = (103.3, 106.5)

# "ubah": the fields utter_ask_edit_field numbers, in order.
EDIT_FIELDS = (
    EditField(("complaint_category",), {"kategori", "jenis"}),
    EditField(LOCATION_SLOTS, {"lokasi", "alamat", "tempat"}),
    EditField(("description",), {"uraian", "keterangan", "deskripsi", "cerita"}),
    EditField(PHOTO_SLOTS, {"foto", "gambar"}),
    EditField(("complaint_private",), {"kerahasiaan", "identitas", "rahasia", "privasi"}),
)


def read_coordinate(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class ValidateComplaintForm(ConfirmedForm, PlaceFields):
    free_text_slots = frozenset({"description", "kecamatan", "desa"})
    readers = {"complaint_category": choice_reader("complaint_category")}
    confirm_slot = CONFIRM_SLOT
    edit_fields = EDIT_FIELDS

    def name(self) -> str:
        return "validate_complaint_form"

    def questions(self, tracker: Tracker) -> list[str]:
        # A shared pin is the location: the text questions are skipped.
        pinned = tracker.get_slot("latitude") is not None
        place = [] if pinned else ["kabupaten_kota", "kecamatan", "desa"]
        return ["complaint_category", *place, "description", "attachment_id", "complaint_private"]

    # -- location -----------------------------------------------------------

    def _pin(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if not self.fresh_turn(tracker):
            return {}
        latitude = read_coordinate(entity_value(tracker, "latitude"))
        longitude = read_coordinate(entity_value(tracker, "longitude"))
        if latitude is None or longitude is None:
            return {}
        inside = (
            LAMPUNG_LATITUDE[0] <= latitude <= LAMPUNG_LATITUDE[1]
            and LAMPUNG_LONGITUDE[0] <= longitude <= LAMPUNG_LONGITUDE[1]
        )
        if not inside:
            dispatcher.utter_message(response="utter_location_outside_lampung")
            return {}
        place = latest_metadata(tracker).get("location") or {}
        described = ", ".join(
            str(place[key])
            for key in ("name", "address")
            if isinstance(place, dict) and place.get(key)
        )
        return {
            "latitude": str(latitude),
            "longitude": str(longitude),
            "location_text": described or None,
        }

    def extract_kabupaten_kota(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._pin(dispatcher, tracker) or self.extract_answer(
            "kabupaten_kota", tracker, entity="kabupaten_kota"
        )

    def _place_answer(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """The whole answer to this place question as typed, else this turn's entity.

        The model's span can lose part of a name ("Kota Alam" → "Alam") or tag the
        wrong half of a correction ("bukan Kedaton, yg bener Rajabasa"); the
        validator reads what was typed itself.
        """
        if tracker.get_slot(REQUESTED_SLOT) == slot and self.fresh_turn(tracker):
            text = latest_text(tracker).strip()
            if text and not text.startswith("/"):
                return {} if self.is_interruption(tracker) else {slot: text}
        return self.extract_answer(slot, tracker, entity=slot)

    def extract_kecamatan(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._place_answer("kecamatan", tracker)

    def extract_desa(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # "Sukarame" answering the kecamatan question is the kecamatan, even when
        # the model also calls it a desa; a desa counts there only beside it.
        if tracker.get_slot(REQUESTED_SLOT) in {"kabupaten_kota", "kecamatan"}:
            desa, kecamatan = entity_value(tracker, "desa"), entity_value(tracker, "kecamatan")
            if desa is None or kecamatan is None or desa == kecamatan:
                return {}
        found = self._place_answer("desa", tracker)
        if not found and self._opening(tracker) and tracker.get_slot("kecamatan"):
            # "jalan rusak di way dadi sukarame": a desa of the kecamatan named, untagged.
            desa = desa_mentioned(latest_text(tracker), tracker)
            return {"desa": desa} if desa else {}
        return found

    def validate_desa(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {}
        if value == SKIPPED or is_skip(tracker, value):
            return self.accepted("desa", SKIPPED, tracker)
        return self.validate_place("desa", value, dispatcher, tracker, domain)

    # -- description --------------------------------------------------------

    def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # "jalan di depan sekolah saya bolong2 parah" already says what happened:
        # it is offered as the description (changeable in the summary), not asked again.
        if self._opening(tracker) and tracker.get_slot("description") is None:
            text = latest_text(tracker).strip()
            entities = (tracker.latest_message or {}).get("entities") or []
            if answers.describes_problem(text, entities):
                return {"description": text}
        return self.extract_answer("description", tracker)

    def _opening(self, tracker: Tracker) -> bool:
        intent, _ = latest_intent(tracker)
        return (
            intent == "file_complaint"
            and tracker.get_slot(REQUESTED_SLOT) is None
            and self.fresh_turn(tracker)
        )

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) > DESCRIPTION_MAX_CHARS:
            return self.failed(
                "description",
                dispatcher,
                tracker,
                "utter_description_too_long",
                max_chars=DESCRIPTION_MAX_CHARS,
                length=len(text),
            )
        letters = sum(ch.isalpha() for ch in text)
        if len(text) < DESCRIPTION_MIN_CHARS or letters < DESCRIPTION_MIN_LETTERS:
            if self._opening(tracker):
                return {"description": None}
            return self.failed("description", dispatcher, tracker, "utter_description_too_short")
        if self._opening(tracker):
            dispatcher.utter_message(response="utter_description_from_opening", description=text)
        return self.accepted("description", text, tracker)

    # -- photo --------------------------------------------------------------

    def extract_attachment_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # A photo is taken whenever it arrives, asked for or not; only one the channel
        # delivered counts (a typed payload is ignored and the form goes on).
        attachment = platform_attachment(tracker) if self.fresh_turn(tracker) else None
        if attachment is not None:
            return {
                "attachment_id": str(attachment["id"]),
                "attachment_info": {
                    "kind": attachment.get("kind") or "photo",
                    "mime_type": attachment.get("mime_type"),
                    "caption": attachment.get("caption"),
                },
            }
        if entity_value(tracker, "attachment_id") is not None:
            logger.warning("a typed photo payload was ignored (no photo was delivered)")
            return {}
        found = self.extract_answer("attachment_id", tracker)
        if found or tracker.get_slot("attachment_id") is not None or not self.fresh_turn(tracker):
            return found
        # "gak ada foto", "fotonya nyusul" said before the photo is asked.
        choice = answers.photo_choice(latest_text(tracker))
        return {"attachment_id": choice} if choice else {}

    def validate_attachment_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in (SKIPPED, PHOTO_LATER):
            return self.accepted("attachment_id", value, tracker)
        attachment = platform_attachment(tracker)
        if attachment is not None and value == attachment["id"]:
            return self.accepted("attachment_id", str(value), tracker)
        choice = answers.photo_choice(str(value or ""))
        if choice == answers.PHOTO_LATER:
            return self.accepted("attachment_id", PHOTO_LATER, tracker)
        if choice == answers.PHOTO_NONE:  # "no photo", "gak ada fotonya"
            return self.accepted("attachment_id", SKIPPED, tracker)
        if is_skip(tracker, value):
            return self.accepted("attachment_id", SKIPPED, tracker)
        return self.failed("attachment_id", dispatcher, tracker, "utter_invalid_attachment_id")

    # -- privacy ------------------------------------------------------------

    def extract_complaint_private(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self.extract_answer("complaint_private", tracker)
        if found or tracker.get_slot("complaint_private") is not None:
            return found
        # "rahasiakan nama saya ya" said before the question.
        if not self.fresh_turn(tracker) or self.is_interruption(tracker):
            return {}
        private = answers.privacy_choice(latest_text(tracker))
        return {} if private is None else {"complaint_private": private}

    def validate_complaint_private(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return self.accepted("complaint_private", value, tracker)
        private = answers.privacy_choice(str(value or ""))
        if private is not None:
            return self.accepted("complaint_private", private, tracker)
        # The question: may the handling agency know who you are? 1 Ya / 2 Tidak.
        may_know = yes_no(tracker, value)
        if may_know is None:
            return self.failed(
                "complaint_private", dispatcher, tracker, "utter_invalid_complaint_private"
            )
        return self.accepted("complaint_private", not may_know, tracker)


class ActionAskComplaintFormKabupatenKota(ActionAskKabupatenKota):
    """Where is it? Share a pin (Telegram shows a button) or pick a kabupaten/kota."""

    form = FORM
    lead_response = "utter_ask_location_pin"


def desa_mentioned(text: str, tracker: Tracker) -> str | None:
    """A desa of the kecamatan already known, named in the text without a prefix."""
    reading = read_place(
        text,
        "desa",
        kabupaten_kota=tracker.get_slot("kabupaten_kota"),
        kecamatan=tracker.get_slot("kecamatan"),
        close=False,
    )
    found = reading.location
    if found is None or found.desa is None or found.kecamatan != tracker.get_slot("kecamatan"):
        return None
    # "di Sukarame" names the kecamatan, though a kelurahan shares its name.
    return None if found.desa == found.kecamatan else found.desa
