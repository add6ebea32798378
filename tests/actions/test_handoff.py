"""Handoff: the last turns go to the officers; the resident hears when to expect an answer."""

from __future__ import annotations

from actions.handoff import ActionHandoff, transcript
from tests.auxil.actions import message, responses


def conversation(turns: int) -> list[dict]:
    events = []
    for i in range(turns):
        events.append({"event": "user", "text": f"pesan {i}"})
        events.append({"event": "action", "name": "utter_x"})
        events.append({"event": "bot", "text": f"balasan {i}"})
    return events


def test_the_transcript_keeps_the_last_turns_in_order():
    lines = transcript(conversation(15))
    assert len(lines) == 20
    assert lines[0] == {"role": "user", "text": "pesan 5"}
    assert lines[-1] == {"role": "bot", "text": "balasan 14"}


async def test_within_and_outside_office_hours(make_tracker, domain, dispatcher, fake_services):
    tracker = make_tracker(
        "mau bicara dengan petugas", intent="human_handoff", events=conversation(2)
    )
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_office_hours"
    assert message(dispatcher, "utter_handoff_office_hours")["reference"] == "CS-261128-ABCD"
    assert fake_services.handoffs[0]["transcript"][0] == {"role": "user", "text": "pesan 0"}

    fake_services.within_office_hours = False
    dispatcher.messages.clear()
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_after_hours"
    # The resident reads the hours the service gave (from offices.yml), not a fixed text.
    after_hours = message(dispatcher, "utter_handoff_after_hours")
    text = domain["responses"]["utter_handoff_after_hours"][0]["text"].format(**after_hours)
    assert "Jumat 08.00–11.30 WIB" in text and "16.00" not in text
