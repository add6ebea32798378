"""Rasa's SQL tracker store, keeping NIKs out of stored conversations.

Configured in the generated endpoints as
``tracker_store: {type: bot.adapters.tracker_store.MaskingTrackerStore, …}``
with the same keys as Rasa's ``SQL`` store.

What is stored, and why that is enough:
- user and bot texts, and entity values, are saved with every NIK masked: the
  slot filled from them in the same turn already holds the canonical NIK;
- a slot holding a NIK is stored in clear only while it is the slot's current
  value (an application form still in progress needs it on the next turn);
  once the slot is reset (a lookup done, an application filed or cancelled),
  the earlier rows holding it are rewritten masked.
Applications keep the NIK they need in the system of record, not here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event

from bot.domain.privacy import contains_nik, mask_nik

logger = logging.getLogger(__name__)


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_nik(value)
    if isinstance(value, list):
        return [_mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    return value


def live_niks(tracker: DialogueStateTracker) -> set[str]:
    """NIK-bearing slot values the conversation still needs (current slot values)."""
    return {
        value
        for value in (tracker.current_slot_values() or {}).values()
        if isinstance(value, str) and contains_nik(value)
    }


def masked_event(data: dict[str, Any], live: set[str]) -> dict[str, Any]:
    """An event's dict as it may be stored: NIKs masked except in live slot values."""
    kind = data.get("event")
    if kind in ("user", "bot"):
        masked = dict(data)
        for key in ("text", "parse_data", "data"):
            if key in masked:
                masked[key] = _mask_value(masked[key])
        return masked
    if kind == "slot":
        value = data.get("value")
        if isinstance(value, str) and value in live:
            return data
        return {**data, "value": _mask_value(value)}
    return data


class MaskingTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that never keeps a NIK in clear once the conversation is done with it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An SQL error quoting an INSERT's parameters would put a whole event in the log.
        self.engine.hide_parameters = True
        if self.engine.dialect.name == "sqlite":
            # Rewritten (masked) and deleted rows are overwritten, not left in free pages.
            event.listen(self.engine, "connect", _secure_delete)
            self.engine.dispose()  # connections opened while creating the table lack it

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        live = live_niks(tracker)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for event in new_events:
                data = masked_event(event.as_dict(), live)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        action_name=data.get("name"),  # as Rasa's own store does
                        data=json.dumps(data),
                    )
                )
            if any(isinstance(e, SlotSet) and e.value is None for e in new_events):
                self._scrub_released(session, tracker.sender_id, live)
            session.commit()

    def _scrub_released(self, session: Any, sender_id: str, live: set[str]) -> None:
        """Mask stored slot rows whose NIK is no longer a current slot value."""
        rows = (
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == sender_id)
            .filter(self.SQLEvent.type_name == SlotSet.type_name)
        )
        for row in rows:
            if not contains_nik(row.data or ""):
                continue
            data = json.loads(row.data)
            masked = masked_event(data, live)
            if masked != data:
                row.data = json.dumps(masked)
