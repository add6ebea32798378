"""Walking the complaint form with the trained model reading every message.

Each resident message is parsed by the real model (intent, confidence,
entities), handed to the form's validator as Rasa would, and the answers
kept; the walk fails where Rasa would leave the form: the validator takes
nothing from a message that answers the question asked (the form is
rejected and a cancel or digression rule runs), or refuses the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint import ValidateComplaintForm
from actions.complaint_filing import ActionSubmitComplaint
from bot.entrypoints.evaluation import ModelParser
from tests.auxil.actions import FakeServices, responses, slot_events
from tests.auxil.places import Kecamatan, every_desa

pytestmark = pytest.mark.model

MAX_RESIDENT_MESSAGES = 6


@dataclass
class Walk:
    slots: dict[str, Any] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    stuck: str | None = None


async def walk_complaint(
    parser: ModelParser,
    make_tracker: Callable[..., Any],
    domain: dict[str, Any],
    opening: str,
    answer: Callable[[str], str],
) -> Walk:
    walk = Walk()
    requested: str | None = None
    text = opening
    for _ in range(12):
        walk.said.append(text)
        parsed = await parser.parse(text)
        tracker = make_tracker(
            text,
            intent=parsed.intent,
            confidence=parsed.confidence,
            entities=dict(parsed.entities),
            slots=walk.slots,
            requested_slot=requested,
            active_loop="complaint_form" if requested else None,
        )
        dispatcher = CollectingDispatcher()
        events = slot_events(await ValidateComplaintForm().run(dispatcher, tracker, domain))
        walk.replies += responses(dispatcher)
        following = events.pop("requested_slot", requested)
        walk.slots.update(events)
        if requested is not None and walk.slots.get(requested) is None:
            why = "rejected" if not dispatcher.messages else ",".join(responses(dispatcher))
            walk.stuck = f"{requested} <- {text!r} ({parsed.intent} {parsed.confidence:.2f}): {why}"
            return walk
        if following is None:
            return walk
        requested = following
        walk.asked.append(requested)
        text = answer(requested)
    walk.stuck = "the form never ended"
    return walk


def answers_for(kecamatan: Kecamatan, desa: str) -> dict[str, str]:
    return {
        "complaint_category": "jalan rusak",
        "kabupaten_kota": kecamatan.region_typed,
        "kecamatan": kecamatan.name.lower(),
        "desa": desa,
        "description": "jalannya berlubang besar di depan sekolah, sudah tiga bulan",
        "attachment_id": "gak ada",
        "complaint_private": "2",
        "complaint_confirmed": "ya",
    }


async def test_every_real_desa_walks_the_form_to_the_summary(nlu_parser, make_tracker, domain):
    stuck: list[str] = []
    for kecamatan, desa in every_desa():
        script = answers_for(kecamatan, desa)
        walk = await walk_complaint(
            nlu_parser, make_tracker, domain, "mau lapor jalan rusak", script.__getitem__
        )
        if walk.stuck or walk.slots.get("desa") != desa:
            stuck.append(f"{kecamatan.name}/{desa}: {walk.stuck or walk.slots.get('desa')}")
    assert not stuck, stuck


@pytest.mark.parametrize(
    "opening",
    ["jalan di depan sekolah saya bolong2 parah", "air pdam gak ngalir dari kemarin"],
)
async def test_a_described_complaint_takes_at_most_six_messages(
    nlu_parser, make_tracker, domain, fake_services: FakeServices, opening
):
    # The questions left, in order: "kedaton" names the kecamatan and so its region too.
    conversation = [
        ("kabupaten_kota", "kedaton"),
        ("desa", "Sidodadi"),
        ("attachment_id", "ga punya fotonya"),
        ("complaint_private", "2"),
        ("complaint_confirmed", "ya"),
    ]
    script = dict(conversation)
    walk = await walk_complaint(
        nlu_parser, make_tracker, domain, opening, lambda slot: script.get(slot, f"<{slot}?>")
    )
    assert walk.stuck is None, walk.stuck
    assert "utter_description_from_opening" in walk.replies
    assert len(walk.said) <= MAX_RESIDENT_MESSAGES, walk.said
    assert walk.asked == [slot for slot, _ in conversation]
    tracker = make_tracker("ya", slots=walk.slots)
    dispatcher = CollectingDispatcher()
    await ActionSubmitComplaint().run(dispatcher, tracker, domain)
    [(number, draft, _, _)] = fake_services.filed
    assert number.startswith("ADU-")
    assert draft.description == opening
    assert (draft.kabupaten_kota, draft.kecamatan, draft.desa) == (
        "Bandar Lampung",
        "Kedaton",
        "Sidodadi",
    )
