"""The tracker store records each typed message's NLU confidence once, as Rasa saves turns."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.adapters.observed_tracker_store import ObservedSQLTrackerStore
from bot.config import Settings
from bot.entrypoints import launcher


def parsed(text: str, intent: str, confidence: float, message_id: str) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        parse_data={"intent": {"name": intent, "confidence": confidence}, "entities": []},
        message_id=message_id,
    )


def observed(intent: str) -> float:
    count = REGISTRY.get_sample_value("tabik_nlu_confidence_count", {"intent": intent})
    return count or 0.0


def make_store(tmp_path: Path) -> TrackerStore:
    """Built by Rasa from an endpoints entry (the launcher's SQL one, with our type)."""
    settings = Settings.from_env({"TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'trackers.db'}"})
    config = {
        **launcher.runtime_endpoints(settings)["tracker_store"],
        "type": "bot.adapters.observed_tracker_store.ObservedSQLTrackerStore",
    }
    return TrackerStore.create(EndpointConfig.from_dict(config), Domain.empty())


async def test_each_typed_message_is_recorded_once(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    assert isinstance(store, ObservedSQLTrackerStore)
    before_help, before_greet = observed("help"), observed("greet")
    tracker = DialogueStateTracker.from_events(
        "wa:6281234567890", [parsed("tolong bantu", "help", 0.42, "m1")]
    )

    await store.save(tracker)
    await store.save(tracker)  # saved again (e.g. through the HTTP API): not a new message
    tracker.update(parsed("/greet", "greet", 1.0, "m2"))  # a button payload
    await store.save(tracker)

    assert observed("help") == before_help + 1
    assert observed("greet") == before_greet
    restored = await store.retrieve("wa:6281234567890")
    assert restored is not None and restored.latest_message.text == "/greet"
