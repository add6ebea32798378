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
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.adapters.db.tables_nlu import nlu_inbox_cursor, nlu_inbox_items, nlu_inbox_occurrences
from bot.adapters.tracker_events import TrackerEvent, TrackerEventLog
from bot.domain.normalise import normalise_text
from bot.domain.privacy import mask_text
from bot.services.labelled_examples import LabelledExamples
from bot.services.shared import NotFound, view_of

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
    engine: Engine
    events: TrackerEventLog
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
        with self.engine.connect() as connection:
            known = connection.execute(
                select(nlu_inbox_cursor.c.name).where(nlu_inbox_cursor.c.name == source)
            ).first()
        if known is None:
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        insert(nlu_inbox_cursor).values(name=source, last_event_id=0)
                    )
            except IntegrityError:
                # Another refresh made it in between; its row is as good as ours.
                log.info("inbox cursor %s created concurrently", source)
        added = 0
        while True:
            with self.engine.begin() as connection:
                cursor = int(
                    connection.execute(
                        select(nlu_inbox_cursor.c.last_event_id)
                        .where(nlu_inbox_cursor.c.name == source)
                        .with_for_update()
                    ).scalar_one()
                )
                batch = self.events.after(cursor, limit=batch_size)
                if not batch:
                    return added
                for event in batch:
                    added += self._consider(connection, event)
                connection.execute(
                    update(nlu_inbox_cursor)
                    .where(nlu_inbox_cursor.c.name == source)
                    .values(last_event_id=batch[-1].id)
                )

    def _consider(self, connection: Connection, event: TrackerEvent) -> int:
        if event.type_name == "action":
            if event.action_name not in FALLBACK_ACTIONS:
                return 0
            message = self.events.previous_user_message(event.sender_id, event.id)
            return self._add(connection, message, "fallback") if message else 0
        added = 0
        reason = self.reason(event)
        if reason:
            added += self._add(connection, event, reason)
        if self.is_correction(event):
            previous = self.events.previous_user_message(event.sender_id, event.id)
            if (
                previous is not None
                and not _is_payload(previous)
                and event.timestamp - previous.timestamp <= CORRECTION_WINDOW_SECONDS
            ):
                added += self._add(connection, previous, "corrected")
        return added

    def _add(self, connection: Connection, event: TrackerEvent, reason: str) -> int:
        if _is_payload(event):
            return 0
        seen = connection.execute(
            select(nlu_inbox_occurrences.c.id).where(nlu_inbox_occurrences.c.event_id == event.id)
        ).first()
        if seen is not None:
            return 0
        text = mask_text(" ".join(event.text.split()))
        key = (normalise_text(text) or text.lower())[:500]
        intent, confidence = best_guess(event)
        at = datetime.fromtimestamp(event.timestamp, timezone.utc)
        item = connection.execute(
            select(nlu_inbox_items.c.id, nlu_inbox_items.c.last_seen).where(
                nlu_inbox_items.c.normalised == key
            )
        ).first()
        if item is None:
            item_id = connection.execute(
                insert(nlu_inbox_items).values(
                    normalised=key,
                    text=text,
                    intent=intent,
                    confidence=confidence,
                    reason=reason,
                    count=1,
                    state="open",
                    first_seen=at,
                    last_seen=at,
                )
            ).inserted_primary_key[0]
        else:
            item_id = item.id
            values: dict[str, Any] = {"count": nlu_inbox_items.c.count + 1}
            if at >= item.last_seen:
                values.update(
                    text=text, intent=intent, confidence=confidence, reason=reason, last_seen=at
                )
            connection.execute(
                update(nlu_inbox_items).where(nlu_inbox_items.c.id == item_id).values(**values)
            )
        connection.execute(
            insert(nlu_inbox_occurrences).values(
                event_id=event.id, item_id=item_id, reason=reason, seen_at=at
            )
        )
        return 1

    # --- what admins see and do ---------------------------------------------

    def items(self, *, limit: int = 200, refresh: bool = True) -> list[InboxItem]:
        """Open items, newest first."""
        if refresh:
            self.refresh()
        query = (
            select(nlu_inbox_items)
            .where(nlu_inbox_items.c.state == "open")
            .order_by(nlu_inbox_items.c.last_seen.desc(), nlu_inbox_items.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [view_of(InboxItem, row) for row in connection.execute(query)]

    def suggestions(self, item_id: int, *, limit: int = 3) -> list[tuple[str, float]]:
        """The model's top intents for the item's newest message (its ranking in the tracker
        store, fallback left out); empty when the event is no longer there."""
        with self.engine.connect() as connection:
            newest = connection.execute(
                select(func.max(nlu_inbox_occurrences.c.event_id)).where(
                    nlu_inbox_occurrences.c.item_id == item_id
                )
            ).scalar()
        found = self.events.after(newest - 1, limit=1) if newest is not None else []
        if not found or found[0].id != newest:
            return []
        ranking = found[0].parse_data.get("intent_ranking") or []
        named = [(r["name"], float(r.get("confidence") or 0)) for r in ranking if r.get("name")]
        return [(n, c) for n, c in named if n != FALLBACK_INTENT][:limit]

    def _open_item(self, connection: Connection, item_id: int) -> Any:
        row = connection.execute(
            select(nlu_inbox_items).where(
                nlu_inbox_items.c.id == item_id, nlu_inbox_items.c.state == "open"
            )
        ).first()
        if row is None:
            raise InboxItemNotFound(item_id)
        return row

    def label(self, item_id: int, intent: str) -> str:
        """Write the item's text as a training example of ``intent``; returns the text."""
        self.examples.check_intent(intent)
        with self.engine.begin() as connection:
            row = self._open_item(connection, item_id)
            self.examples.add(row.text, intent)
            self._close(connection, item_id, "labelled", intent)
        return str(row.text)

    def ignore(self, item_id: int) -> None:
        with self.engine.begin() as connection:
            self._open_item(connection, item_id)
            self._close(connection, item_id, "ignored", None)

    @staticmethod
    def _close(connection: Connection, item_id: int, state: str, label: str | None) -> None:
        connection.execute(
            update(nlu_inbox_items)
            .where(nlu_inbox_items.c.id == item_id)
            .values(state=state, label=label, reviewed_at=datetime.now(timezone.utc))
        )

    def open_count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).where(nlu_inbox_items.c.state == "open")
                ).scalar()
                or 0
            )
