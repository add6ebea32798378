"""Stored conversations keep no NIK in clear once the conversation is done with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.adapters.tracker_store import MaskingTrackerStore

NIK = "1871011508900001"
TYPED = "cek bansos nik saya 18 71 01 150890 0001 ya"
DOMAIN = Domain.from_dict(
    {
        "slots": {
            "nik": {"type": "text", "mappings": [{"type": "custom"}]},
            "full_name": {"type": "text", "mappings": [{"type": "custom"}]},
        }
    }
)


def stored_rows(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))


def user_turn() -> UserUttered:
    return UserUttered(
        TYPED,
        intent={"name": "check_social_aid", "confidence": 0.9},
        entities=[{"entity": "nik", "value": NIK, "start": 20, "end": 40}],
        parse_data={"text": TYPED},
    )


async def test_a_nik_is_kept_only_while_a_slot_still_needs_it(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    store = MaskingTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))
    tracker = await store.get_or_create_tracker("wa:6281234567890")
    tracker.update(user_turn())
    tracker.update(SlotSet("nik", NIK))
    tracker.update(BotUttered(f"NIK {NIK} sedang dicek"))
    await store.save(tracker)

    stored = stored_rows(db)
    assert "150890 0001" not in stored and "1871********0001" in stored
    assert stored.count(NIK) == 1  # only the slot the form still needs
    again = await store.retrieve("wa:6281234567890")
    assert again is not None and again.get_slot("nik") == NIK

    # The lookup is done: the action resets the slot, and nothing keeps the NIK.
    again.update(ActionExecuted("action_check_social_aid"))
    again.update(SlotSet("nik", None))
    await store.save(again)
    assert NIK not in stored_rows(db)
    final = await store.retrieve("wa:6281234567890")
    assert final is not None and final.get_slot("nik") is None
    assert final.latest_message is not None and NIK not in (final.latest_message.text or "")


async def test_other_texts_and_slots_are_kept_as_they_were(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    store = MaskingTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))
    tracker = await store.get_or_create_tracker("tg:555")
    tracker.update(UserUttered("nama saya Siti, tiket ADU-261128-7KQ2"))
    tracker.update(SlotSet("full_name", "Siti Aminah"))
    tracker.update(SlotSet("nik", None))
    await store.save(tracker)
    stored = stored_rows(db)
    assert "ADU-261128-7KQ2" in stored and "Siti Aminah" in stored
    assert store.engine.hide_parameters
