"""Checking a ticket's status: status_form (asks the number or offers this chat's tickets)."""

from __future__ import annotations

import logging
import math
from datetime import date, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import numbered, typed_number
from actions.formatting import display_date, response_text
from actions.forms import FAILURES_SLOT, TabikFormValidator
from actions.services import services
from actions.tracker import entity_value, identity_of, slot_resets
from bot.domain import tickets, vocabulary
from bot.domain.errors import TabikError, TicketNotFound, TooManyLookups
from bot.domain.office_hours import WIB
from bot.domain.tickets import TicketKind
from bot.services.views import StatusView

logger = logging.getLogger(__name__)

LISTED_SLOT = "listed_tickets"
STATUS_SLOTS = ("ticket_id", LISTED_SLOT, FAILURES_SLOT, "requested_slot")


def subject_label(view: StatusView) -> str:
    vocabulary_kind = "complaint_category" if view.kind == TicketKind.COMPLAINT else "document_type"
    try:
        return vocabulary.label(vocabulary_kind, view.subject)
    except KeyError:
        return str(view.subject or "-")


def status_word(view: StatusView) -> str:
    return view.status.value


class ValidateStatusForm(TabikFormValidator):
    own_intents = frozenset({"check_status"})

    def name(self) -> str:
        return "validate_status_form"

    def validate_ticket_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        number = tickets.canonical(text)
        if number is not None:
            return self.accepted("ticket_id", number, tracker)
        listed = tracker.get_slot(LISTED_SLOT) or []
        position = typed_number(text)
        if position is not None and 1 <= position <= len(listed):
            return self.accepted("ticket_id", listed[position - 1], tracker)
        if tickets.looks_like_attempt(text):
            return self.failed("ticket_id", dispatcher, tracker, "utter_ticket_format_wrong")
        return self.failed("ticket_id", dispatcher, tracker, "utter_invalid_ticket_id")


async def own_tickets(tracker: Tracker) -> list[StatusView]:
    identity = identity_of(tracker)
    try:
        return list(await services().tickets_of(identity, limit=5))
    except (TabikError, OSError):
        logger.exception("could not list the tickets of %s", identity.masked())
        return []


def filed_on(view: StatusView) -> date:
    aware = (
        view.created_at if view.created_at.tzinfo else view.created_at.replace(tzinfo=timezone.utc)
    )
    return aware.astimezone(WIB).date()


def kind_label(view: StatusView, domain: DomainDict) -> str:
    return response_text(domain, f"utter_fragment_kind_{view.kind.value.lower()}")


def ticket_lines(views: list[StatusView], domain: DomainDict) -> str:
    """One line per ticket: number, kind and subject, status, date filed."""
    return numbered(
        f"{view.number} · {kind_label(view, domain)} {subject_label(view)} · "
        f"{status_word(view)} · {display_date(filed_on(view))}"
        for view in views
    )


def ticket_buttons(views: list[StatusView]) -> list[dict[str, str]]:
    return [
        {"title": view.number, "payload": f'/check_status{{"ticket_id":"{view.number}"}}'}
        for view in views
    ]


class ActionAskTicketId(Action):
    """Asks for the number; when this chat filed tickets, offers them as a numbered list."""

    def name(self) -> str:
        return "action_ask_ticket_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        views = await own_tickets(tracker)
        if not views:
            # "tiket saya" / "lupa nomornya" from a chat that filed nothing: say so
            # and what can be done, rather than only asking for a number.
            dispatcher.utter_message(response="utter_no_own_tickets")
            return [SlotSet(LISTED_SLOT, None)]
        dispatcher.utter_message(
            response="utter_ask_ticket_id_from_list",
            options=ticket_lines(views, domain),
            buttons=ticket_buttons(views),
        )
        return [SlotSet(LISTED_SLOT, [view.number for view in views])]


class ActionCheckStatus(Action):
    """Answers the status of one ticket: details for its owner, the status word for others."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = slot_resets(STATUS_SLOTS[:3]) if tracker.active_loop_name is None else []
        number_text = entity_value(tracker, "ticket_id") or tracker.get_slot("ticket_id")
        if not number_text:
            # Asked in the middle of another form: list this chat's tickets, or say how.
            views = await own_tickets(tracker)
            if views:
                dispatcher.utter_message(
                    response="utter_your_tickets",
                    options=ticket_lines(views, domain),
                    buttons=ticket_buttons(views),
                )
            else:
                dispatcher.utter_message(response="utter_ticket_number_hint")
            return events
        identity = identity_of(tracker)
        try:
            view = await services().ticket_status(str(number_text), identity=identity)
        except tickets.InvalidTicketNumber:
            dispatcher.utter_message(response="utter_ticket_format_wrong")
            return events
        except TicketNotFound as missing:
            dispatcher.utter_message(
                response="utter_ticket_not_found", ticket_number=missing.number
            )
            return events
        except TooManyLookups as limited:
            minutes = max(1, math.ceil(limited.retry_after / 60))
            dispatcher.utter_message(response="utter_too_many_lookups", minutes=minutes)
            return events
        except (TabikError, OSError):
            logger.exception("status lookup failed for %s", identity.masked())
            dispatcher.utter_message(response="utter_status_unavailable")
            return events
        self.answer(dispatcher, view, domain)
        return events

    @staticmethod
    def answer(dispatcher: CollectingDispatcher, view: StatusView, domain: DomainDict) -> None:
        status = status_word(view)
        if view.details is None:
            # Anyone with the full number sees the status word and its date, nothing else.
            dispatcher.utter_message(
                response="utter_status_public",
                ticket_number=view.number,
                status=status,
                status_date=display_date(view.status_at),
            )
            return
        dispatcher.utter_message(
            response="utter_status_owner",
            ticket_number=view.number,
            subject=subject_label(view),
            status=status,
            status_date=display_date(view.status_at),
            filed_date=display_date(view.created_at),
        )
        details = view.details
        place = ", ".join(
            part
            for part in (
                details.desa,
                details.kecamatan,
                vocabulary.label("kabupaten_kota", details.kabupaten_kota)
                if details.kabupaten_kota
                else None,
                details.location_text,
            )
            if part
        )
        if details.description:
            dispatcher.utter_message(
                response="utter_status_details",
                description=details.description,
                location=place or response_text(domain, "utter_fragment_unknown"),
            )
        if view.note:
            dispatcher.utter_message(response="utter_status_note", note=view.note)
        dispatcher.utter_message(response=f"utter_status_next_{status}")
