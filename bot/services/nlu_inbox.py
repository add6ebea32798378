"""The admins' NLU inbox: resident messages the bot understood poorly, to label or ignore.

Read from the SQL tracker store after the fact (no change to the conversation path):
each ``refresh`` reads the events added since the last one. A resident message
enters the inbox when

- its turn fell back: intent ``nlu_fallback``, or the bot ran
  ``action_default_fallback`` / ``action_two_stage_fallback`` right after it;
- it was classified ``out_of_scope``;
- its intent confidence is below the threshold (0.6 by default,
  ``NLU_INBOX_CONFIDENCE``; applied to messages read from then on);
- the resident's very next message (within five minutes) says the bot got it
  wrong: intent ``cancel``, or it starts with "bukan itu" / "bukan begitu".

Messages are grouped by their normalised text (``bot.domain.normalise``) with a count,
newest first. NIKs and phone numbers are masked before anything is stored.
Labelling writes the example to ``nlu/data/nlu/labelled.yml`` (reviewed like any
training data, see :mod:`bot.services.labelled_examples`); labelled and ignored
items leave the inbox.
"""

from __future__ import annotations

import logging
from dataclasses import KW_ONLY, dataclass, fields
from datetime import datetime, timezone
from typing import Any

from bot.domain.normalise import normalise_text
from bot.domain.privacy import mask_text
from bot.services.conversation_log import ConversationEvents, TrackerEvent
from bot.services.labelled_examples import LabelledExamples
from bot.services.nlu_inbox_store import (
    IGNORED,
    LABELLED,
    OPEN,
    InboxStore,
    InboxTables,
    StoredItem,
)
from bot.services.shared import NotFound

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.6
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback"})
CORRECTION_INTENTS = frozenset({"cancel"})
CORRECTION_OPENINGS = ("bukan itu", "bukan begitu", "bukan yang itu", "salah maksud")
CORRECTION_WINDOW_SECONDS = 300.0


@dataclass(frozen=True)
class InboxItem:
    id: int
    text: str
    intent: str | None
    confidence: float | None
    count: int
    reason: str
    last_seen: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "intent": self.intent,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "count": self.count,
        }

    @classmethod
    def from_row(cls, row: StoredItem) -> InboxItem:
        return cls(**{f.name: row[f.name] for f in fields(cls)})


class InboxItemNotFound(NotFound):
    """No open inbox item with this id (labelled and ignored ones have left the inbox)."""

    what = "open inbox item"


def best_guess(event: TrackerEvent) -> tuple[str | None, float | None]:
    """The model's own guess: for a fallback, the best intent it did not trust."""
    parse = event.parse_data
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence")
    if name == FALLBACK_INTENT:
        for ranked in parse.get("intent_ranking") or []:
            if ranked.get("name") != FALLBACK_INTENT:
                return ranked.get("name"), ranked.get("confidence")
    return name, None if confidence is None else float(confidence)


def _is_payload(event: TrackerEvent) -> bool:
    # Buttons send "/intent"; the resident typed nothing the model had to understand.
    return event.text.startswith("/") or not event.text.strip()


@dataclass(eq=False)
class NluInbox:
    store: InboxStore
    events: ConversationEvents
    examples: LabelledExamples
    _: KW_ONLY
    threshold: float = DEFAULT_THRESHOLD

    # --- reading the tracker store ------------------------------------------

    def reason(self, event: TrackerEvent) -> str | None:
        """Why a resident message belongs in the inbox on its own, or None."""
        if _is_payload(event):
            return None
        intent = (event.parse_data.get("intent") or {}).get("name") or event.intent_name
        if intent == FALLBACK_INTENT:
            return "fallback"
        if intent == "out_of_scope":
            return "out_of_scope"
        confidence = (event.parse_data.get("intent") or {}).get("confidence")
        if confidence is not None and float(confidence) < self.threshold:
            return "low_confidence"
        return None

    @staticmethod
    def is_correction(event: TrackerEvent) -> bool:
        if event.intent_name in CORRECTION_INTENTS:
            return True
        return normalise_text(event.text).startswith(CORRECTION_OPENINGS)

    def refresh(self, *, batch_size: int = 1000) -> int:
        """Read the events since the last refresh; returns how many messages were added.

        One short transaction per batch (the cursor row locked), so a long backlog
        never holds the system of record's write lock for long, and two refreshes
        at once take turns instead of counting a message twice.
        """
        source = self.events.source
        self.store.ensure_cursor(source)
        added = 0
        while True:
            with self.store.transaction() as tables:
                batch = self.events.after(tables.lock_cursor(source), limit=batch_size)
                if not batch:
                    return added
                for event in batch:
                    added += self._consider(tables, event)
                tables.move_cursor(source, batch[-1].id)

    def _consider(self, tables: InboxTables, event: TrackerEvent) -> int:
        if event.type_name == "action":
            if event.action_name not in FALLBACK_ACTIONS:
                return 0
            message = self.events.previous_user_message(event.sender_id, event.id)
            return self._add(tables, message, "fallback") if message else 0
        added = 0
        reason = self.reason(event)
        if reason:
            added += self._add(tables, event, reason)
        if self.is_correction(event):
            previous = self.events.previous_user_message(event.sender_id, event.id)
            if (
                previous is not None
                and not _is_payload(previous)
                and event.timestamp - previous.timestamp <= CORRECTION_WINDOW_SECONDS
            ):
                added += self._add(tables, previous, "corrected")
        return added

    def _add(self, tables: InboxTables, event: TrackerEvent, reason: str) -> int:
        if _is_payload(event) or tables.counted(event.id):
            return 0
        text = mask_text(" ".join(event.text.split()))
        key = (normalise_text(text) or text.lower())[:500]
        intent, confidence = best_guess(event)
        at = datetime.fromtimestamp(event.timestamp, timezone.utc)
        shown = {
            "text": text,
            "intent": intent,
            "confidence": confidence,
            "reason": reason,
            "last_seen": at,
        }
        item = tables.item_by_text(key)
        if item is None:
            item_id = tables.add_item(
                {**shown, "normalised": key, "count": 1, "state": OPEN, "first_seen": at}
            )
        else:
            item_id = int(item["id"])
            tables.count_again(item_id, shown if at >= item["last_seen"] else None)
        tables.add_occurrence(event.id, item_id, reason, at)
        return 1

    # --- what admins see and do ---------------------------------------------

    def items(self, *, limit: int = 200, refresh: bool = True) -> list[InboxItem]:
        """Open items, newest first."""
        if refresh:
            self.refresh()
        with self.store.transaction() as tables:
            return [InboxItem.from_row(row) for row in tables.open_items(limit)]

    def suggestions(self, item_id: int, *, limit: int = 3) -> list[tuple[str, float]]:
        """The model's top intents for the item's newest message (its ranking in the tracker
        store, fallback left out); empty when the event is no longer there."""
        with self.store.transaction() as tables:
            newest = tables.newest_event(item_id)
        found = self.events.after(newest - 1, limit=1) if newest is not None else []
        if not found or found[0].id != newest:
            return []
        ranking = found[0].parse_data.get("intent_ranking") or []
        named = [(r["name"], float(r.get("confidence") or 0)) for r in ranking if r.get("name")]
        return [(n, c) for n, c in named if n != FALLBACK_INTENT][:limit]

    @staticmethod
    def _open_item(tables: InboxTables, item_id: int) -> StoredItem:
        row = tables.open_item(item_id)
        if row is None:
            raise InboxItemNotFound(item_id)
        return row

    def label(self, item_id: int, intent: str) -> str:
        """Write the item's text as a training example of ``intent``; returns the text."""
        self.examples.check_intent(intent)
        with self.store.transaction() as tables:
            text = str(self._open_item(tables, item_id)["text"])
            self.examples.add(text, intent)
            tables.close_item(item_id, LABELLED, intent, datetime.now(timezone.utc))
        return text

    def ignore(self, item_id: int) -> None:
        with self.store.transaction() as tables:
            self._open_item(tables, item_id)
            tables.close_item(item_id, IGNORED, None, datetime.now(timezone.utc))

    def open_count(self) -> int:
        with self.store.transaction() as tables:
            return tables.open_count()
