"""The tracker store records each typed message's NLU confidence once, as Rasa saves turns."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.adapters.observed_tracker_store import (
    ObservedMaskingTrackerStore,
    ObservedSQLTrackerStore,
)
from bot.config import Settings
from bot.entrypoints import runtime_config


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
        **runtime_config.runtime_endpoints(settings)["tracker_store"],
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


async def test_the_launchers_store_records_confidence_and_keeps_niks_masked(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'trackers.db'}"})
    endpoints = runtime_config.runtime_endpoints(settings)["tracker_store"]
    store = TrackerStore.create(EndpointConfig.from_dict(endpoints), Domain.empty())
    assert isinstance(store, ObservedMaskingTrackerStore)
    before = observed("check_status")
    nik = "1871011508900001"
    tracker = DialogueStateTracker.from_events(
        "wa:6281234567890", [parsed(f"cek nik {nik}", "check_status", 0.87, "m1")]
    )

    await store.save(tracker)

    assert observed("check_status") == before + 1
    restored = await store.retrieve("wa:6281234567890")
    assert restored is not None and nik not in (restored.latest_message.text or "")
