"""EmergencyFirstPolicy: 112 first in any state, and an open handoff routed to the officer.

Trackers are built from events against the real domain; no model is trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.emergency_policy import EmergencyFirstPolicy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def policy(tmp_path: Path) -> EmergencyFirstPolicy:
    return EmergencyFirstPolicy.create(
        EmergencyFirstPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("emergency_first"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def said(text: str, intent: str, confidence: float = 0.9, ranking: Any = None) -> UserUttered:
    parse = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
        "entities": [],
    }
    return UserUttered(text, parse["intent"], [], parse_data=parse)


def tracker(domain: Domain, *events: Event) -> DialogueStateTracker:
    start: list[Event] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("wa:6281", [*start, *events], domain.slots)


IN_HANDOFF = SlotSet("handoff_reference", "CS-261207-ABCD")
IN_FORM = [
    ActionExecuted("complaint_form"),
    ActiveLoop("complaint_form"),
    SlotSet("requested_slot", "kecamatan"),
    ActionExecuted("action_listen"),
]


def test_nothing_special_is_left_to_the_other_policies(policy, domain):
    t = tracker(domain, said("harga beras", "ask_food_price"))
    assert policy.next_action(t, domain) is None
    prediction = policy.predict_action_probabilities(t, domain)
    assert max(prediction.probabilities) == 0.0


def test_an_emergency_gets_112_then_listens(policy, domain):
    t = tracker(domain, said("rumah tetangga kebakaran", "emergency"))
    assert policy.next_action(t, domain) == "action_emergency"
    prediction = policy.predict_action_probabilities(t, domain)
    assert prediction.probabilities[domain.index_for_action("action_emergency")] == 1.0
    # Ahead of a form's happy path (RulePolicy's "no user" predictions).
    assert prediction.is_no_user_prediction and prediction.policy_priority > 6
    t.update(ActionExecuted("action_emergency"))
    assert policy.next_action(t, domain) == "action_listen"


def test_a_fallback_whose_best_guess_is_an_emergency_still_gets_112(policy, domain):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "emergency", "confidence": 0.3},
    ]
    t = tracker(domain, said("kaki bapak bengkak abis dipatok", "nlu_fallback", 0.45, ranking))
    assert policy.next_action(t, domain) == "action_emergency"
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.3}]
    t = tracker(domain, said("asdf", "nlu_fallback", 0.45, ranking))
    assert policy.next_action(t, domain) is None


def test_an_emergency_ends_the_two_stage_fallback(policy, domain):
    t = tracker(
        domain,
        said("hmm", "nlu_fallback"),
        ActionExecuted("action_two_stage_fallback"),
        ActiveLoop("action_two_stage_fallback"),
        ActionExecuted("action_listen"),
        said("ada yg tenggelam", "emergency"),
    )
    steps = []
    for _ in range(4):
        action = policy.next_action(t, domain)
        steps.append(action)
        t.update(ActionExecuted(action))
        if action == "action_deactivate_loop":
            t.update(ActiveLoop(None))
    assert steps == [
        "action_emergency",
        "action_deactivate_loop",
        "action_end_form",
        "action_listen",
    ]


def test_inside_a_form_the_form_reads_its_answer_first(policy, domain):
    # "Purwodadi" read as an emergency is a kecamatan; the form and its rules decide.
    t = tracker(
        domain, said("mau lapor", "file_complaint"), *IN_FORM, said("Purwodadi", "emergency")
    )
    assert policy.next_action(t, domain) is None


def test_in_a_handoff_every_message_goes_to_the_officer(policy, domain):
    t = tracker(domain, IN_HANDOFF, said("halo pak, sudah ada kabar?", "greet"))
    assert policy.next_action(t, domain) == "action_handoff_message"
    t.update(ActionExecuted("action_handoff_message"))
    assert policy.next_action(t, domain) == "action_listen"


def test_in_a_handoff_an_emergency_gets_112_first_even_inside_a_form(policy, domain):
    t = tracker(
        domain,
        said("mau lapor", "file_complaint"),
        *IN_FORM,
        IN_HANDOFF,
        said("kebakaran!", "emergency"),
    )
    assert policy.next_action(t, domain) == "action_emergency"
    t.update(ActionExecuted("action_emergency"))
    t.update(BotUttered("Dalam keadaan darurat, segera telepon 112"))
    assert policy.next_action(t, domain) == "action_handoff_message"
    t.update(ActionExecuted("action_handoff_message"))
    assert policy.next_action(t, domain) == "action_listen"


def test_after_opening_a_handoff_the_bot_waits_even_in_a_form(policy, domain):
    t = tracker(
        domain,
        said("mau lapor", "file_complaint"),
        *IN_FORM,
        said("minta petugas", "human_handoff"),
    )
    assert policy.next_action(t, domain) is None  # the rules run action_handoff
    t.update(ActionExecuted("action_handoff"))
    t.update(IN_HANDOFF)
    assert policy.next_action(t, domain) == "action_listen"


def test_a_failed_handoff_leaves_the_form_to_its_rules(policy, domain):
    t = tracker(domain, said("minta petugas", "human_handoff"), ActionExecuted("action_handoff"))
    assert policy.next_action(t, domain) is None


def test_leaving_a_handoff_returns_to_the_bot(policy, domain):
    t = tracker(domain, IN_HANDOFF, said("kembali ke bot", "cancel"))
    assert policy.next_action(t, domain) == "action_handoff_message"
    t.update(ActionExecuted("action_handoff_message"))
    t.update(SlotSet("handoff_reference", None))
    assert policy.next_action(t, domain) == "action_listen"
    t.update(ActionExecuted("action_listen"))
    t.update(said("harga beras", "ask_food_price"))
    assert policy.next_action(t, domain) is None
