"""Cancelling a form forgets the draft; an emergency ends it but keeps the place."""

from __future__ import annotations

from actions.form_endings import ActionCancelForm, ActionEndForm
from tests.auxil.actions import responses, slot_events


async def test_cancel_says_nothing_was_sent_and_resets_the_draft(make_tracker, domain, dispatcher):
    events = await ActionCancelForm().run(dispatcher, make_tracker(), domain)
    assert responses(dispatcher) == ["utter_cancelled"]
    slots = slot_events(events)
    assert {"draft_id", "description", "nik", "complaint_confirmed"} <= set(slots)
    assert set(slots.values()) == {None}


async def test_ending_for_an_emergency_keeps_the_region(make_tracker, domain, dispatcher):
    events = await ActionEndForm().run(dispatcher, make_tracker(), domain)
    assert dispatcher.messages == []
    assert "kabupaten_kota" not in slot_events(events)
