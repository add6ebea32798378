"""Reading the tracker (latest message, sender, metadata, turn); remembering, resetting slots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.domain.attachments import is_platform_ref
from bot.domain.conversation import LastAnswer
from bot.domain.identity import ChatIdentity

ACTION_LISTEN = "action_listen"
# The service answered last and its values, for follow-ups ("kalo cabe?"): actions/context.py.
LAST_ANSWER_SLOT = "last_answer"


def identity_of(tracker: Tracker) -> ChatIdentity:
    return ChatIdentity.from_sender_id(tracker.sender_id)


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    tabik = metadata.get("tabik") if isinstance(metadata, dict) else None
    return tabik if isinstance(tabik, dict) else {}


def platform_attachment(tracker: Tracker) -> dict[str, Any] | None:
    """The photo the channel delivered with the latest message, or None.

    Only a channel writes ``metadata["tabik"]["attachment"]``, from a real platform
    message (the REST channel drops client metadata); a typed ``/share_photo{...}``
    carries an ``attachment_id`` entity but no such metadata, and attaches nothing.
    """
    attachment = latest_metadata(tracker).get("attachment")
    if isinstance(attachment, dict) and is_platform_ref(attachment.get("id")):
        return attachment
    return None


def remember(service: str, **values: Any) -> EventType:
    """Note the service just answered and its values, so a follow-up can change one of them."""
    kept = {name: str(value) for name, value in values.items() if value}
    return SlotSet(LAST_ANSWER_SLOT, LastAnswer(service, kept).as_slot())


def entity_value(tracker: Tracker, entity: str) -> Any:
    """The first value of an entity in the latest message, or None."""
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") == entity and item.get("value") not in (None, ""):
            return item["value"]
    return None


def is_fresh_user_turn(tracker: Tracker, form_name: str | None = None) -> bool:
    """True right after the resident spoke, False when a form resumes after a digression.

    A form's validation action sees the form itself as the latest action (Rasa
    appends it to the tracker it sends), so that one is looked past.
    """
    looked_past_form = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            if event.get("name") == form_name and not looked_past_form:
                looked_past_form = True
                continue
            return event.get("name") == ACTION_LISTEN
    # A tracker without events (tests, the first turn): trust its summary.
    return tracker.latest_action_name in (ACTION_LISTEN, form_name)


def slot_resets(names: Iterable[str]) -> list[EventType]:
    return [SlotSet(name, None) for name in names]
