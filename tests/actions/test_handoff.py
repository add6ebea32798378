"""Handoff: the last turns go to the officers; the resident hears when to expect an answer,
and while it is open hears 112 for an emergency, an acknowledgement now and then, and
can go back to the bot."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions.handoff import ActionHandoff, ActionHandoffMessage, transcript
from actions.services import set_handoff_desk_factory
from bot.domain.errors import HandoffLimitReached
from bot.services.handoff_desk import HandoffNotFound, HandoffOpened, HandoffTurn, TurnReply
from tests.auxil.actions import message, responses

REFERENCE = "CS-261128-ABCD"


class FakeDesk:
    def __init__(self) -> None:
        self.opened: list[dict] = []
        self.messages: list[dict] = []
        self.within_office_hours = True
        self.reply = TurnReply.ACKNOWLEDGE
        self.failure: Exception | None = None

    async def open(self, *, identity, reason, transcript) -> HandoffOpened:
        if self.failure is not None:
            raise self.failure
        self.opened.append({"identity": identity, "reason": reason, "transcript": transcript})
        return HandoffOpened(
            reference="CS-261128-ABCD",
            within_office_hours=self.within_office_hours,
            next_opening="Senin, 08.00 WIB",
            office_hours="Senin–Kamis 08.00–15.00 WIB; Jumat 08.00–11.30 WIB",
        )

    async def resident_message(self, **message) -> HandoffTurn:
        if self.failure is not None:
            raise self.failure
        self.messages.append(message)
        return HandoffTurn(
            reply=self.reply,
            reference=message["reference"],
            within_office_hours=self.within_office_hours,
            next_opening="Senin, 08.00 WIB",
        )


@pytest.fixture
def desk() -> Iterator[FakeDesk]:
    fake = FakeDesk()
    previous = set_handoff_desk_factory(lambda: fake)
    yield fake
    set_handoff_desk_factory(previous)


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


async def test_within_and_outside_office_hours_and_the_bot_listens_on(
    make_tracker, domain, dispatcher, desk
):
    tracker = make_tracker(
        "mau bicara dengan petugas", intent="human_handoff", events=conversation(2)
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_office_hours"
    assert message(dispatcher, "utter_handoff_office_hours")["reference"] == "CS-261128-ABCD"
    assert desk.opened[0]["transcript"][0] == {"role": "user", "text": "pesan 0"}
    # No pause (a paused bot would not even answer a fire): the slot marks the handoff.
    assert events[0] == SlotSet("handoff_reference", "CS-261128-ABCD")
    # The first message to the officer is acknowledged: nothing is marked yet.
    assert events[1] == SlotSet("handoff_acknowledged_at", None)
    assert responses(dispatcher)[-1] == "utter_handoff_meanwhile"

    desk.within_office_hours = False
    dispatcher.messages.clear()
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_handoff_after_hours"
    after = message(dispatcher, "utter_handoff_after_hours")
    assert after["next_opening"] == "Senin, 08.00 WIB"
    assert "Jumat" in after["office_hours"]


async def test_beyond_the_daily_limit_the_resident_is_told_politely(
    make_tracker, domain, dispatcher, desk
):
    desk.failure = HandoffLimitReached(5)
    tracker = make_tracker("petugas", intent="human_handoff")
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert events == []
    assert responses(dispatcher) == ["utter_handoff_limit"]
    assert message(dispatcher, "utter_handoff_limit")["limit"] == 5


def in_handoff(make_tracker, text, *, intent="inform", confidence=0.95, turn=(), stamp=None):
    return make_tracker(
        text,
        intent=intent,
        confidence=confidence,
        slots={"handoff_reference": REFERENCE, "handoff_acknowledged_at": stamp},
        events=[{"event": "user", "text": text}, *turn],
    )


async def test_a_message_to_a_waiting_handoff_is_kept_and_acknowledged(
    make_tracker, domain, dispatcher, desk
):
    tracker = in_handoff(make_tracker, "pak, jalannya makin parah", stamp=time.time() - 3600)
    events = await ActionHandoffMessage().run(dispatcher, tracker, domain)
    sent = desk.messages[0]
    assert sent["reference"] == REFERENCE and sent["text"] == "pak, jalannya makin parah"
    assert not sent["emergency"] and not sent["leaving"]
    assert sent["acknowledged_at"] is not None
    assert responses(dispatcher) == ["utter_handoff_waiting"]
    assert [e["name"] for e in events] == ["handoff_acknowledged_at"]

    desk.within_office_hours = False
    dispatcher.messages.clear()
    await ActionHandoffMessage().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_waiting_after_hours"]
    assert message(dispatcher, "utter_handoff_waiting_after_hours")["next_opening"]


async def test_quiet_while_an_officer_replies(make_tracker, domain, dispatcher, desk):
    desk.reply = TurnReply.QUIET
    events = await ActionHandoffMessage().run(
        dispatcher, in_handoff(make_tracker, "baik pak, terima kasih"), domain
    )
    assert responses(dispatcher) == [] and events == []
    assert desk.messages  # the officer still gets it


async def test_an_emergency_reaches_the_officer_with_the_112_answer(
    make_tracker, domain, dispatcher, desk
):
    desk.reply = TurnReply.EMERGENCY
    turn = [
        {"event": "action", "name": "action_emergency"},
        {"event": "bot", "text": "Dalam keadaan darurat, segera telepon 112"},
    ]
    tracker = in_handoff(make_tracker, "rumah sy kebakaran", intent="emergency", turn=turn)
    events = await ActionHandoffMessage().run(dispatcher, tracker, domain)
    sent = desk.messages[0]
    assert sent["emergency"] is True
    assert sent["bot_lines"] == ["Dalam keadaan darurat, segera telepon 112"]
    assert responses(dispatcher) == ["utter_handoff_emergency_noted"]
    # "also passed on to the officer" acknowledges: the next message is not told again.
    [stamp] = [e["value"] for e in events if e["name"] == "handoff_acknowledged_at"]
    assert stamp is not None


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "leaves"),
    [
        ("kembali ke bot", "cancel", 0.93, True),
        ("/cancel", "cancel", 1.0, True),
        ("batal aja", "cancel", 0.5, True),
        ("tidak pak", "deny", 0.97, False),  # may answer the officer's question
        ("dadi", "cancel", 0.5, False),
    ],
)
async def test_leaving_the_handoff(
    make_tracker, domain, dispatcher, desk, text, intent, confidence, leaves
):
    desk.reply = TurnReply.LEFT if leaves else TurnReply.ACKNOWLEDGE
    tracker = in_handoff(make_tracker, text, intent=intent, confidence=confidence)
    events = await ActionHandoffMessage().run(dispatcher, tracker, domain)
    assert desk.messages[0]["leaving"] is leaves
    if leaves:
        assert responses(dispatcher) == ["utter_handoff_left"]
        assert SlotSet("handoff_reference", None) in events


@pytest.mark.parametrize("reply", [TurnReply.ENDED])
async def test_a_handoff_closed_meanwhile_hands_back_to_the_bot(
    make_tracker, domain, dispatcher, desk, reply
):
    desk.reply = reply
    events = await ActionHandoffMessage().run(dispatcher, in_handoff(make_tracker, "halo"), domain)
    assert responses(dispatcher) == ["utter_handoff_ended"]
    assert SlotSet("handoff_reference", None) in events


async def test_never_silent_when_the_message_cannot_be_kept(make_tracker, domain, dispatcher, desk):
    desk.failure = OSError("database down")
    events = await ActionHandoffMessage().run(dispatcher, in_handoff(make_tracker, "halo"), domain)
    assert responses(dispatcher) == ["utter_handoff_not_forwarded"] and events == []

    desk.failure = HandoffNotFound(REFERENCE)
    dispatcher.messages.clear()
    events = await ActionHandoffMessage().run(dispatcher, in_handoff(make_tracker, "halo"), domain)
    assert responses(dispatcher) == ["utter_handoff_ended"]
    assert SlotSet("handoff_reference", None) in events
