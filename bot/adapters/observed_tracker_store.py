"""Tracker stores that also record the NLU confidence of every message they save.

The tracker store is the one place inside the Rasa server that sees each parsed
message (the channels only see text going in and replies coming out), and it
already holds the tracker at the end of every turn, so recording here costs no
extra query. Button payloads (``/intent``) are skipped: their confidence is 1 by
construction and would hide how well the model understands typed text.

``RecordsNluConfidence`` goes first in the bases of any tracker store, e.g.
``class ObservedStore(RecordsNluConfidence, SomeTrackerStore)``; its ``save``
saves through the store, then records. ``ObservedSQLTrackerStore`` is Rasa's SQL
store with it (``tracker_store.type`` in the endpoints; every argument of
``SQLTrackerStore`` passes through unchanged); ``ObservedMaskingTrackerStore``
is the masking store with it, the one the launcher configures.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot import observability
from bot.adapters.tracker_store import MaskingTrackerStore

# Conversations whose latest message was already recorded, so a tracker saved twice
# (a later API call, a reminder) is not counted twice. Bounded: an evicted sender's
# next message is a new one anyway.
_REMEMBERED = 10_000


class RecordsNluConfidence(TrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recorded: OrderedDict[str, str] = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self.record_latest_message(tracker)

    def record_latest_message(self, tracker: DialogueStateTracker) -> None:
        message = tracker.latest_message
        if message is None or not message.intent or not message.message_id:
            return
        if (message.text or "").startswith("/"):
            return
        if self._recorded.get(tracker.sender_id) == message.message_id:
            return
        self._recorded[tracker.sender_id] = message.message_id
        self._recorded.move_to_end(tracker.sender_id)
        while len(self._recorded) > _REMEMBERED:
            self._recorded.popitem(last=False)
        observability.observe_nlu(message.intent.get("name"), message.intent.get("confidence"))


class ObservedSQLTrackerStore(RecordsNluConfidence, SQLTrackerStore):
    """Rasa's SQL tracker store, recording NLU confidence."""


class ObservedMaskingTrackerStore(RecordsNluConfidence, MaskingTrackerStore):
    """The store the launcher configures: NIKs masked in what is kept, confidence recorded.

    The recording reads the tracker in memory, so it sees the intent and confidence
    whatever the masking writes to the database.
    """
