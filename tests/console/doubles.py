"""Stand-ins for the slow parts behind the admins' pages, shared by the console and browser tests.

- :class:`QuickModels` is the real :class:`ModelService` (records, deploy gate, deploys
  over HTTP, rollback, listing) on :class:`QuickFiles`: the real model files with only
  the parts that take minutes replaced, keeping their signatures: ``train`` writes a
  few progress lines and a model file (under the same training lock) instead of
  running ``rasa train``, and the held-out figures come from a table instead of
  parsing the test set.
- :func:`rasa_instance` answers like ``channels.model_admin``'s model-swap endpoint.
- :class:`Residents` writes resident messages into a tracker store's ``events``
  table as Rasa's SQL tracker store does, for the real :class:`NluInbox` to read.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from aiohttp import web
from sqlalchemy import insert

from bot.adapters.db.engine import make_engine
from bot.adapters.db.inbox_items import nlu_inbox_on
from bot.adapters.db.nlu_records import ModelRecords
from bot.adapters.model_files import RasaModelFiles
from bot.adapters.model_instances import RasaModelInstances
from bot.adapters.rasa_instances import MODEL_ENDPOINT
from bot.adapters.tracker_events import TrackerEventLog, events
from bot.config import PROJECT_ROOT
from bot.services.labelled_examples import LabelledExamples
from bot.services.models import ModelService, model_name
from bot.services.nlu_inbox import NluInbox

RUNNING = "tabik-aaaaaaaaaaaa"
TRAINING_STEPS = ("rasa data validate: ok", "Training NLU model…", "Epochs: 100%", "Model saved")


def held_out(macro: float, entity: float = 0.9, **per_intent: float) -> dict[str, Any]:
    """Held-out figures as ModelService.evaluate reports them."""
    f1 = {"greet": 0.9, "check_status": 0.9} | per_intent
    confusions = [{"expected": "check_status", "predicted": "greet", "count": 2}]
    return dict(
        intent_accuracy=macro,
        macro_f1=macro,
        entity_f1=entity,
        per_intent_f1=f1,
        worst_confusions=confusions,
    )


class QuickFiles(RasaModelFiles):
    def __init__(self, models_dir: Path) -> None:
        super().__init__(models_dir, environment={})
        self.figures: dict[str, dict[str, Any]] = {RUNNING: held_out(0.80)}
        self.candidate_figures = held_out(0.85)
        self.failure: str | None = None  # the tail of a failing rasa train
        self.pause = 0.0  # seconds between progress lines
        self.release = threading.Event()  # clear() keeps a training running until set()
        self.release.set()
        self.trained = 0

    def validate(self, progress: IO[str], config: Path | None) -> None:
        progress.write(f"{TRAINING_STEPS[0]}\n")
        progress.flush()
        time.sleep(self.pause)

    def train(self, progress: IO[str], config: Path | None) -> Path:
        for step in TRAINING_STEPS[1:]:
            progress.write(f"{step}\n")
            progress.flush()
            time.sleep(self.pause)
        self.release.wait(30)
        if self.failure:
            raise subprocess.CalledProcessError(1, ["rasa", "train"], output=self.failure)
        self.trained += 1
        path = self.models_dir / f"tabik-{self.fingerprint()}.tar.gz"
        path.write_bytes(b"model")
        self.figures.setdefault(model_name(path), self.candidate_figures)
        return path

    def fingerprint(self) -> str:
        return hashlib.sha256(f"data {self.trained}".encode()).hexdigest()[:12]

    def held_out_figures(self, path: Path) -> dict[str, Any]:
        return dict(self.figures[model_name(path)])


class QuickModels(ModelService):
    files: QuickFiles

    def __init__(self, records: ModelRecords, *, instances: list[str], models_dir: Path) -> None:
        super().__init__(records, QuickFiles(models_dir), RasaModelInstances(), urls=instances)


def rasa_instance(running: str = RUNNING) -> web.Application:
    """A Rasa server's model-swap endpoint (``channels.model_admin``) that loads at once."""
    loaded = {"model_file": f"{running}.tar.gz"}

    async def current(_request: web.Request) -> web.Response:
        return web.json_response(loaded)

    async def load(request: web.Request) -> web.Response:
        previous = loaded["model_file"]
        loaded["model_file"] = Path((await request.json())["model_file"]).name
        return web.json_response({"previous_model_file": previous, "load_seconds": 0.2})

    app = web.Application()
    app.router.add_get(MODEL_ENDPOINT, current)
    app.router.add_put(MODEL_ENDPOINT, load)
    return app


class Residents:
    """Messages in a tracker store as Rasa writes them (one ``user`` event each)."""

    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite:///{path}")
        events.metadata.create_all(self.engine)
        self.clock = time.time() - 600

    def say(self, text: str, *ranking: tuple[str, float], sender: str = "6281200000099") -> None:
        self.clock += 10
        top = {"name": ranking[0][0], "confidence": ranking[0][1]}
        parse = {
            "intent": top,
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
        with self.engine.begin() as connection:
            connection.execute(
                insert(events).values(
                    sender_id=sender,
                    type_name="user",
                    timestamp=self.clock,
                    intent_name=top["name"],
                    data=json.dumps({"text": text, "parse_data": parse}),
                )
            )


def admin_tools(
    database_url: str, workdir: Path, instances: list[str]
) -> tuple[NluInbox, QuickModels, Residents]:
    """The real inbox (over a project copy, so labels land in its own labelled.yml) and
    QuickModels, with the running model deployed to every instance."""
    project = workdir / "project"
    (project / "tests" / "nlu").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "domain.yml", project / "domain.yml")
    shutil.copy(PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml", project / "tests" / "nlu")
    residents = Residents(workdir / "trackers.db")
    engine = make_engine(database_url)
    inbox = nlu_inbox_on(engine, TrackerEventLog(residents.engine), LabelledExamples(project))
    models_dir = workdir / "models"
    models_dir.mkdir()
    (models_dir / f"{RUNNING}.tar.gz").write_bytes(b"model")
    records = ModelRecords(engine)
    for url in instances:
        records.record_deployment(instance=url, model=RUNNING, previous_model=None)
    return inbox, QuickModels(records, instances=instances, models_dir=models_dir), residents
