"""Handoff: the last turns go to the officers; the resident hears when to expect an answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import ConversationPaused

from actions import handoff
from actions.handoff import ActionHandoff, transcript
from bot.services.handoff_desk import HandoffOpened
from tests.auxil.actions import message, responses


class FakeDesk:
    def __init__(self) -> None:
        self.opened: list[dict] = []
        self.within_office_hours = True

    async def open(self, *, identity, reason, transcript) -> HandoffOpened:
        self.opened.append({"identity": identity, "reason": reason, "transcript": transcript})
        return HandoffOpened(
            reference="CS-261128-ABCD",
            within_office_hours=self.within_office_hours,
            next_opening="Senin, 08.00 WIB",
            office_hours="Senin–Kamis 08.00–15.00 WIB; Jumat 08.00–11.30 WIB",
        )


@pytest.fixture
def desk() -> Iterator[FakeDesk]:
    fake = FakeDesk()
    previous = handoff.set_desk_factory(lambda: fake)
    yield fake
    handoff.set_desk_factory(previous)


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


async def test_within_and_outside_office_hours_and_the_bot_pauses(
    make_tracker, domain, dispatcher, desk
):
    tracker = make_tracker(
        "mau bicara dengan petugas", intent="human_handoff", events=conversation(2)
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_office_hours"
    assert message(dispatcher, "utter_handoff_office_hours")["reference"] == "CS-261128-ABCD"
    assert desk.opened[0]["transcript"][0] == {"role": "user", "text": "pesan 0"}
    assert events == [ConversationPaused()]

    desk.within_office_hours = False
    dispatcher.messages.clear()
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_after_hours"
    after = message(dispatcher, "utter_handoff_after_hours")
    assert after["next_opening"] == "Senin, 08.00 WIB"
    assert "Jumat" in after["office_hours"]
