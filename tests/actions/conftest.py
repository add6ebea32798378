"""Fixtures for action tests: trackers built from plain dicts, the domain, fake services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import set_services_factory
from bot.config import PROJECT_ROOT
from tests.auxil.actions import FakeServices


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    with (PROJECT_ROOT / "domain.yml").open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture()
def fake_services() -> Iterator[FakeServices]:
    fake = FakeServices()
    previous = set_services_factory(lambda: fake)
    yield fake
    set_services_factory(previous)


TrackerFactory = Callable[..., Tracker]


@pytest.fixture()
def make_tracker(domain: dict[str, Any]) -> TrackerFactory:
    """A tracker right after a user message (``latest_action_name`` is action_listen)."""

    def build(
        text: str = "",
        *,
        intent: str = "inform",
        confidence: float = 0.95,
        entities: dict[str, Any] | None = None,
        slots: dict[str, Any] | None = None,
        requested_slot: str | None = None,
        active_loop: str | None = None,
        latest_action: str = "action_listen",
        sender_id: str = "tg:555123",
        ranking: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> Tracker:
        all_slots: dict[str, Any] = dict.fromkeys(domain["slots"])
        all_slots["requested_slot"] = requested_slot
        all_slots.update(slots or {})
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
            "entities": [
                {"entity": name, "value": value} for name, value in (entities or {}).items()
            ],
            "metadata": {"tabik": metadata} if metadata else {},
        }
        return Tracker(
            sender_id=sender_id,
            slots=all_slots,
            latest_message=message,
            events=list(events or []),
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name=latest_action,
        )

    return build


@pytest.fixture()
def answer_summary(
    make_tracker: TrackerFactory, domain: dict[str, Any], dispatcher: CollectingDispatcher
) -> Callable[..., Any]:
    """Runs a form's submit action once its summary is answered (``<form>_confirmed``)."""

    async def submit(
        action: Action, answers: dict[str, Any], **confirmed: str
    ) -> list[dict[str, Any]]:
        tracker = make_tracker(slots={**answers, **confirmed})
        return await action.run(dispatcher, tracker, domain)

    return submit
