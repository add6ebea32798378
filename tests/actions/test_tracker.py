"""Reading the tracker: a fresh answer is told from a form resumed after a digression."""

from __future__ import annotations

from actions.tracker import is_fresh_user_turn


def _events(*kinds: tuple[str, str | None]) -> list[dict]:
    return [{"event": kind, "name": name} for kind, name in kinds]


def test_a_fresh_answer_is_told_from_a_resumed_form(make_tracker):
    # What Rasa sends the validator: the form's own execution appended last.
    fresh = make_tracker(
        events=_events(
            ("action", "action_listen"),
            ("user", None),
            ("slot", "requested_slot"),
            ("action", "complaint_form"),
        ),
        latest_action="complaint_form",
    )
    resumed = make_tracker(
        events=_events(
            ("user", None),
            ("action", "complaint_form"),
            ("action_execution_rejected", None),
            ("action", "action_requirements"),
            ("bot", None),
            ("action", "complaint_form"),
        ),
        latest_action="complaint_form",
    )
    assert is_fresh_user_turn(fresh, "complaint_form") is True
    assert is_fresh_user_turn(resumed, "complaint_form") is False
