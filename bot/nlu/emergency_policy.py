"""A dialogue policy that puts 112 first and keeps an open handoff from going silent.

Rules and TED learn from examples; two things must hold in every state, so they
are decided here instead, ahead of them (priority above the RulePolicy, and as a
"no user" prediction so that even a form's happy path cannot run first):

* An emergency (the model's intent, or its best guess behind a fallback) gets
  ``action_emergency`` at once, then the bot listens. Outside a form, an active
  loop (the two-stage fallback) is first ended the way the form rules end a form.
  Inside a form the form's own reading decides first (a place name the model
  reads as an emergency is still the answer), and the form rules end it.
* While a handoff is open (the ``handoff_reference`` slot), every message goes to
  ``action_handoff_message``: it reaches the officer, and the action decides
  whether the resident hears an acknowledgement, nothing, or leaves the handoff.
  An emergency gets ``action_emergency`` first, then the same action.

The policy learns nothing; its decisions read only the tracker.
"""

from __future__ import annotations

from typing import Any

from rasa.core.constants import POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_DEACTIVATE_LOOP_NAME, ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

EMERGENCY_INTENT = "emergency"
FALLBACK_INTENT = "nlu_fallback"
ACTION_EMERGENCY = "action_emergency"
ACTION_END_FORM = "action_end_form"
ACTION_HANDOFF = "action_handoff"
ACTION_HANDOFF_MESSAGE = "action_handoff_message"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class EmergencyFirstPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Above the RulePolicy (6): its loop predictions must not come first.
            POLICY_PRIORITY: 7,
            "handoff_slot": "handoff_reference",
            # Behind a fallback, the model's best guess "emergency" at this confidence
            # or more still gets 112: a needless 112 costs less than a missed one.
            "rescue_threshold": 0.2,
        }

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmergencyFirstPolicy:
        # Nothing was stored: the policy is its code and its configuration.
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.next_action(tracker, domain)
        if action is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)

    # ------------------------------------------------------------------ rules

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """The action this policy insists on next, or None to leave it to the others."""
        in_handoff = bool(tracker.get_slot(self.config["handoff_slot"]))
        done = actions_since_user(tracker)
        if not done:
            if tracker.latest_action_name != ACTION_LISTEN_NAME or not _has_user_turn(tracker):
                return None
            in_form = tracker.active_loop_name in domain.form_names
            if self.is_emergency(tracker) and (in_handoff or not in_form):
                return ACTION_EMERGENCY
            return ACTION_HANDOFF_MESSAGE if in_handoff else None
        last = done[-1]
        if done[0] == ACTION_EMERGENCY:
            if in_handoff:
                return {
                    ACTION_EMERGENCY: ACTION_HANDOFF_MESSAGE,
                    ACTION_HANDOFF_MESSAGE: ACTION_LISTEN_NAME,
                }.get(last)
            if tracker.active_loop_name in domain.form_names:
                return None  # the form rules end the form
            if last == ACTION_EMERGENCY:
                # Listening right away: a rescued fallback has no rule to finish its turn.
                if tracker.active_loop_name:
                    return ACTION_DEACTIVATE_LOOP_NAME
                return ACTION_LISTEN_NAME
            if last == ACTION_DEACTIVATE_LOOP_NAME:
                return ACTION_END_FORM
            if last == ACTION_END_FORM:
                return ACTION_LISTEN_NAME
            return None
        if last == ACTION_HANDOFF_MESSAGE:
            return ACTION_LISTEN_NAME
        if last == ACTION_HANDOFF and in_handoff:
            # Just opened: wait for the resident (a form it interrupted waits too).
            return ACTION_LISTEN_NAME
        return None

    def is_emergency(self, tracker: DialogueStateTracker) -> bool:
        message = tracker.latest_message
        if message is None:
            return False
        intent = message.intent.get(INTENT_NAME_KEY)
        if intent == EMERGENCY_INTENT:
            return True
        if intent != FALLBACK_INTENT:
            return False
        ranking = [
            entry
            for entry in message.parse_data.get("intent_ranking") or []
            if entry.get(INTENT_NAME_KEY) != FALLBACK_INTENT
        ]
        return bool(
            ranking
            and ranking[0].get(INTENT_NAME_KEY) == EMERGENCY_INTENT
            and float(ranking[0].get("confidence") or 0.0) >= self.config["rescue_threshold"]
        )


def actions_since_user(tracker: DialogueStateTracker) -> list[str]:
    """Names of the actions run since the resident's latest message, oldest first."""
    names: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    names.reverse()
    # The listen before the message is not part of this turn.
    return names


def _has_user_turn(tracker: DialogueStateTracker) -> bool:
    return any(isinstance(event, UserUttered) for event in reversed(tracker.events))
