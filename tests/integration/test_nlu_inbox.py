"""The NLU inbox read from a real Rasa SQL tracker store, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.inbox_items import nlu_inbox_on
from bot.adapters.tracker_events import TrackerEventLog
from bot.config import PROJECT_ROOT
from bot.services.labelled_examples import HeldOutExample, LabelledExamples, UnknownIntent
from bot.services.nlu_inbox import InboxItemNotFound, NluInbox

NIK = "1871012345678901"


@pytest.fixture(params=["postgresql", "sqlite"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty system of record per test (the inbox is global state)."""
    if request.param == "postgresql":
        url = str(request.getfixturevalue("postgres_schema_factory")())
    else:
        url = f"sqlite:///{tmp_path / 'tabik.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "tests" / "nlu").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    shutil.copy(PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml", root / "tests" / "nlu")
    return root


def parse(intent: str, confidence: float, ranking: list[tuple[str, float]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
    }


class TrackerStore:
    """Conversations written by Rasa's own SQLTrackerStore, as a running bot writes them."""

    def __init__(self, path: Path) -> None:
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain

        self.url = f"sqlite:///{path}"
        self.store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
        self.clock = time.time() - 3600

    def conversation(self, sender: str, *turns: tuple[str, dict[str, Any], str]) -> None:
        from rasa.shared.core.events import ActionExecuted, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = asyncio.run(self.store.retrieve(sender)) or DialogueStateTracker(sender, [])
        for text, parse_data, action in turns:
            self.clock += 10
            tracker.update(ActionExecuted("action_listen", timestamp=self.clock))
            tracker.update(UserUttered(text, parse_data=parse_data, timestamp=self.clock + 1))
            tracker.update(ActionExecuted(action, timestamp=self.clock + 2))
        asyncio.run(self.store.save(tracker))


@pytest.fixture
def tracker_store(tmp_path: Path) -> TrackerStore:
    return TrackerStore(tmp_path / "trackers.db")


@pytest.fixture
def make_inbox(
    fresh_database_url: str, tracker_store: TrackerStore, project: Path
) -> Callable[..., NluInbox]:
    def make(threshold: float = 0.6) -> NluInbox:
        return nlu_inbox_on(
            make_engine(fresh_database_url),
            TrackerEventLog(make_engine(tracker_store.url)),
            LabelledExamples(project),
            threshold=threshold,
        )

    return make


def test_poorly_understood_messages_enter_grouped_newest_first(
    make_inbox: Callable[..., NluInbox], tracker_store: TrackerStore
) -> None:
    tracker_store.conversation(
        "wa:1",
        ("halo", parse("greet", 0.98), "utter_greet"),
        (
            "jalan di depan rumah retak2",
            parse("nlu_fallback", 0.45, [("nlu_fallback", 0.45), ("file_complaint", 0.41)]),
            "action_two_stage_fallback",
        ),
        ("siapa presiden", parse("out_of_scope", 0.9), "utter_out_of_scope"),
        ("/check_status", parse("check_status", 1.0), "utter_ask_ticket"),
    )
    tracker_store.conversation(
        "tg:2",
        ("Jalan di depan rumah retak2!!", parse("file_complaint", 0.52), "utter_ask_category"),
        ("harga emas", parse("ask_food_price", 0.93), "utter_prices"),
        ("bukan itu", parse("deny", 0.97), "utter_ask_rephrase"),
        ("mau lapor", parse("file_complaint", 0.95), "complaint_form"),
    )
    inbox = make_inbox()
    items = inbox.items()
    assert [(i.text, i.count) for i in items] == [
        ("harga emas", 1),
        ("Jalan di depan rumah retak2!!", 2),
        ("siapa presiden", 1),
    ]
    assert items[1].intent == "file_complaint" and items[1].confidence == pytest.approx(0.52)
    assert {i.reason for i in items} == {"corrected", "low_confidence", "out_of_scope"}
    # Read again: nothing is counted twice.
    assert [i.count for i in inbox.items()] == [1, 2, 1]
    # A fallback decided by the dialogue (action_default_fallback) counts too.
    tracker_store.conversation(
        "wa:1", ("siapa presiden", parse("ask_office_info", 0.8), "action_default_fallback")
    )
    newest = inbox.items()[0]
    assert (newest.text, newest.count) == ("siapa presiden", 2)


def test_personal_data_is_masked(
    make_inbox: Callable[..., NluInbox], tracker_store: TrackerStore
) -> None:
    tracker_store.conversation(
        "wa:3",
        (f"nik sy {NIK} hp 0812 3456 7890 gmn", parse("inform", 0.3), "utter_ask_rephrase"),
    )
    out = io.StringIO()
    items = make_inbox().items()
    json.dump([i.as_json() for i in items], out)
    assert NIK not in out.getvalue() and "3456" not in out.getvalue()
    assert "1871********8901" in items[0].text


def test_threshold_is_configurable(
    make_inbox: Callable[..., NluInbox], tracker_store: TrackerStore
) -> None:
    tracker_store.conversation("wa:4", ("cek tiket dong", parse("check_status", 0.7), "x"))
    assert make_inbox(threshold=0.8).items()[0].text == "cek tiket dong"


def test_labelling_writes_reviewable_training_data_and_leaves_the_inbox(
    make_inbox: Callable[..., NluInbox], tracker_store: TrackerStore, project: Path
) -> None:
    tracker_store.conversation(
        "wa:5",
        ("lampu jalan mati total", parse("nlu_fallback", 0.4), "action_two_stage_fallback"),
        ("apakah bisa daftar online", parse("ask_requirements", 0.5), "utter_x"),
    )
    inbox = make_inbox()
    newest, oldest = inbox.items()
    with pytest.raises(UnknownIntent) as refused:
        inbox.label(oldest.id, "lapor_lampu")
    assert "file_complaint" in str(refused.value) and "greet" in str(refused.value)
    inbox.label(oldest.id, "file_complaint")
    inbox.ignore(newest.id)
    assert inbox.items() == []
    with pytest.raises(InboxItemNotFound):
        inbox.ignore(newest.id)
    labelled = yaml.safe_load((project / "nlu/data/nlu/labelled.yml").read_text())
    assert labelled["nlu"] == [
        {"intent": "file_complaint", "examples": "- lampu jalan mati total\n"}
    ]


def test_a_held_out_message_never_becomes_training_data(project: Path) -> None:
    held_out = yaml.safe_load((project / "tests/nlu/test_nlu.yml").read_text())
    block = held_out["nlu"][0]
    text = block["examples"].splitlines()[0].removeprefix("- ")
    with pytest.raises(HeldOutExample):
        LabelledExamples(project).add(text.upper(), block["intent"])
    assert not (project / "nlu/data/nlu/labelled.yml").exists()


def test_cli_inbox_json_label_and_ignore(
    fresh_database_url: str,
    tracker_store: TrackerStore,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import cli  # not at collection: main() binds its default `out` on import

    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_store.url)
    monkeypatch.setattr("bot.bootstrap.admin.PROJECT_ROOT", project)
    tracker_store.conversation(
        "wa:6",
        ("gimana cara bikin kia", parse("ask_requirements", 0.31), "utter_x"),
        ("tolong banget", parse("help", 0.2), "utter_y"),
    )
    out = io.StringIO()
    assert cli.main(["nlu", "inbox", "--json"], out=out) == 0
    items = json.loads(out.getvalue())
    assert [set(i) for i in items] == [{"id", "text", "intent", "confidence", "count"}] * 2
    assert items[0]["text"] == "tolong banget"
    assert cli.main(["nlu", "label", str(items[1]["id"]), "no_such_intent"], out=out) == 1
    assert (
        cli.main(["nlu", "label", str(items[1]["id"]), "ask_requirements"], out=io.StringIO()) == 0
    )
    assert cli.main(["nlu", "ignore", str(items[0]["id"])], out=io.StringIO()) == 0
    out = io.StringIO()
    cli.main(["nlu", "inbox", "--json"], out=out)
    assert json.loads(out.getvalue()) == []
