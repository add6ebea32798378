"""Candidate models: train, evaluate against the running one, deploy, roll back, list.

A candidate is named after the hash of the data it was trained on
(``tabik-<fingerprint>``, as ``make train`` names it) and kept in ``models/``.
Deploying swaps every instance in ``RASA_URLS`` to it through the zero-downtime
endpoint of :mod:`channels.model_admin`; each swap is recorded (model, instance,
the model it replaced), which is what ``rollback`` and ``list`` read.

The gate: a candidate is ``worse`` when its held-out intent macro-F1 or entity F1
is more than :data:`TOLERANCE` below the running model's, ``better`` when its
macro-F1 is more than :data:`TOLERANCE` above (and nothing is worse), otherwise
``same``. 0.01 is about five of the ~500 held-out messages: differences smaller
than that are noise between trainings.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.adapters.db.nlu_records import ModelRecords
from bot.adapters.rasa_instances import InstanceError, RasaInstance
from bot.domain.errors import TabikError, with_message
from bot.entrypoints import training

TOLERANCE = 0.01
# A per-intent F1 drop larger than this names the intent when a deploy is refused.
INTENT_TOLERANCE = 0.05
FIGURES = ("intent_accuracy", "macro_f1", "entity_f1")


class ModelError(TabikError):
    """Base of the model tooling's refusals."""


@with_message("another training is running (lock {lock.name})")
class TrainingInProgress(ModelError):
    lock: Path


@with_message("{step} failed; the running model is unchanged:\n{detail}")
class TrainingFailed(ModelError):
    step: str
    detail: str


@with_message("no model {name}")
class UnknownModel(ModelError):
    name: str


@with_message(
    "{name} is worse than the running model ({figures}); worse: {named}."
    " Use --force to deploy anyway."
)
class DeployRefused(ModelError):
    name: str
    worse_intents: list[str]
    figures: str

    @property
    def named(self) -> str:
        return ", ".join(self.worse_intents) or "overall figures"


@with_message("no recorded deployment with a previous model")
class NothingToRollBack(ModelError):
    """No deployment on record replaced another model."""


@dataclass(frozen=True)
class InstanceResult:
    url: str
    model: str
    previous_model: str | None
    error: str | None = None
    load_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def model_name(path: Path) -> str:
    return path.name.removesuffix(".tar.gz")


class ModelService:
    def __init__(
        self,
        records: ModelRecords,
        *,
        instances: Sequence[str],
        token: str | None,
        models_dir: Path = training.MODELS_DIR,
        root: Path = training.PROJECT_ROOT,
        test_file: Path | None = None,
    ) -> None:
        self.records = records
        self.instance_urls = [u.rstrip("/") for u in instances]
        self.token = token
        self.models_dir = models_dir
        self.root = root
        self.test_file = test_file

    # --- models ---------------------------------------------------------------

    def path_of(self, name: str) -> Path:
        candidate = Path(name)
        if candidate.suffixes[-2:] == [".tar", ".gz"] and candidate.is_file():
            return candidate
        path = self.models_dir / f"{model_name(candidate)}.tar.gz"
        if not path.is_file():
            raise UnknownModel(name)
        return path

    # --- training -------------------------------------------------------------

    @contextlib.contextmanager
    def _training_lock(self) -> Iterator[None]:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.models_dir / ".training.lock"
        with lock_path.open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise TrainingInProgress(lock_path) from error
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def validate(self, progress: IO[str], config: Path | None = None) -> None:
        """``rasa data validate``: bad YAML, unknown intents, story conflicts."""
        command = [
            training.venv_bin("rasa"),
            "data",
            "validate",
            "--domain",
            str(training.domain_path(self.root)),
            "--data",
            str(self.root / "nlu" / "data"),
            "--config",
            str(config or self.root / "config.yml"),
        ]
        with _pumped(progress) as (output, tail):
            code = subprocess.run(  # noqa: S603 - our own venv's rasa
                command,
                cwd=training.PROJECT_ROOT,
                env=training.child_env(),
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_lower_priority,
                check=False,
            ).returncode
        if code != 0:
            raise TrainingFailed("rasa data validate", "\n".join(tail))

    def train(self, progress: IO[str] = sys.stderr, *, config: Path | None = None) -> str:
        """Train a candidate from the current data (validated first); returns its name.

        Runs at lower CPU priority than the serving processes; one at a time.
        """
        with self._training_lock():
            self.validate(progress, config)
            try:
                with _pumped(progress) as (output, tail):
                    path = training.train(
                        models_dir=self.models_dir,
                        config=config,
                        root=self.root,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        preexec_fn=_lower_priority,
                    )
            except subprocess.CalledProcessError as error:
                raise TrainingFailed("rasa train", "\n".join(tail)) from error
        name = model_name(path)
        self.records.register(name, training.training_fingerprint(self.root), str(path))
        return name

    # --- evaluation -----------------------------------------------------------

    def current_model(self) -> str | None:
        """The model the first instance answers with (recorded, else asked, else None)."""
        for url in self.instance_urls:
            deployment = self.records.latest(url)
            if deployment is not None:
                return deployment.model
            try:
                running = RasaInstance(url, self.token).current_model()
            except InstanceError:
                continue
            if running:
                return model_name(Path(running))
        return None

    def evaluate(
        self, name: str, *, evaluator: Callable[[Path], dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Candidate and running model on the held-out set, with the verdict."""
        candidate_path = self.path_of(name)
        evaluator = evaluator or self._held_out_figures
        current = self.current_model()
        result: dict[str, Any] = {"candidate": evaluator(candidate_path)}
        result["candidate"]["model"] = model_name(candidate_path)
        if current is None or current == model_name(candidate_path):
            result["current"] = dict(result["candidate"])
        else:
            result["current"] = evaluator(self.path_of(current))
            result["current"]["model"] = current
        result["verdict"] = verdict(result["candidate"], result["current"])
        result["worse_intents"] = worse_intents(result["candidate"], result["current"])
        self.records.save_evaluation(model_name(candidate_path), str(candidate_path), result)
        return result

    def _held_out_figures(self, path: Path) -> dict[str, Any]:
        from bot.entrypoints.evaluation import DEFAULT_TEST_FILES, evaluate

        report = evaluate(path, self.test_file or DEFAULT_TEST_FILES[0])
        return {
            "intent_accuracy": report.intent_accuracy,
            "macro_f1": report.intent_macro_f1,
            "entity_f1": report.entity_micro.f1,
            "per_intent_f1": {k: v.f1 for k, v in sorted(report.per_intent.items())},
            "worst_confusions": [
                {"expected": g, "predicted": p, "count": n} for g, p, n in report.confusions
            ],
        }

    # --- deployment -----------------------------------------------------------

    def deploy(
        self,
        name: str,
        *,
        force: bool = False,
        evaluator: Callable[[Path], dict[str, Any]] | None = None,
    ) -> list[InstanceResult]:
        """Swap every instance to ``name``; refuses a worse model unless ``force``."""
        path = self.path_of(name)
        if not force:
            evaluation = self.records.evaluation(model_name(path))
            current = self.current_model()
            if evaluation is None or evaluation.get("current", {}).get("model") != current:
                evaluation = self.evaluate(name, evaluator=evaluator)
            if evaluation["verdict"] == "worse":
                c, r = evaluation["candidate"], evaluation["current"]
                raise DeployRefused(
                    model_name(path),
                    evaluation.get("worse_intents") or worse_intents(c, r),
                    f"macro-F1 {c['macro_f1']:.3f} vs {r['macro_f1']:.3f},"
                    f" entity F1 {c['entity_f1']:.3f} vs {r['entity_f1']:.3f}",
                )
        return [self._deploy_one(url, path) for url in self.instance_urls]

    def _deploy_one(self, url: str, path: Path, previous: str | None = None) -> InstanceResult:
        instance = RasaInstance(url, self.token)
        name = model_name(path)
        try:
            answer = instance.load(path)
        except InstanceError as error:
            self.records.record_deployment(
                instance=url, model=name, previous_model=None, error=error.reason
            )
            return InstanceResult(url, name, None, error=error.reason)
        replaced = answer.get("previous_model_file")
        previous = previous or (model_name(Path(replaced)) if replaced else None)
        self.records.record_deployment(instance=url, model=name, previous_model=previous)
        return InstanceResult(url, name, previous, load_seconds=answer.get("load_seconds"))

    def rollback(self) -> list[InstanceResult]:
        """Every instance back to the model it ran before its latest deployment."""
        results = []
        for url in self.instance_urls:
            deployment = self.records.latest(url)
            if deployment is None or not deployment.previous_model:
                results.append(InstanceResult(url, "", None, error="no previous model recorded"))
                continue
            results.append(self._deploy_one(url, self.path_of(deployment.previous_model)))
        if all(r.error == "no previous model recorded" for r in results):
            raise NothingToRollBack()
        return results

    def list_models(self) -> list[dict[str, Any]]:
        """Every known model with its figures and where it runs (or ran just before)."""
        known: dict[str, dict[str, Any]] = {}

        def entry(name: str, path: str | None) -> dict[str, Any]:
            return known.setdefault(
                name,
                {
                    "name": name,
                    "path": path,
                    "figures": {},
                    "verdict": None,
                    "deployed_on": [],
                    "previous_on": [],
                },
            )

        for path in sorted(self.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime):
            entry(model_name(path), str(path))
        for row in self.records.models():
            evaluation = row.get("evaluation") or {}
            figures = evaluation.get("candidate") or {}
            entry(row["name"], row["path"]).update(
                figures={k: figures[k] for k in FIGURES if k in figures},
                verdict=evaluation.get("verdict"),
            )
        for url in dict.fromkeys([*self.instance_urls, *self.records.instances()]):
            deployment = self.records.latest(url)
            if deployment is None:
                continue
            entry(deployment.model, None)["deployed_on"].append(url)
            if deployment.previous_model:
                entry(deployment.previous_model, None)["previous_on"].append(url)
        return list(known.values())


@contextlib.contextmanager
def _pumped(progress: IO[str], keep: int = 15) -> Iterator[tuple[int, list[str]]]:
    """A pipe for a child's output, copied line by line to ``progress``; the last
    ``keep`` lines stay in the list (the error to show when the child fails)."""
    read_fd, write_fd = os.pipe()
    tail: list[str] = []

    def pump() -> None:
        with os.fdopen(read_fd, encoding="utf-8", errors="replace") as reader:
            for line in reader:
                progress.write(line)
                progress.flush()
                tail.append(line.rstrip())
                del tail[:-keep]

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        yield write_fd, tail
    finally:
        os.close(write_fd)
        thread.join(30)


def last_deployed_model(database_url: str, models_dir: Path = training.MODELS_DIR) -> str | None:
    """Path of the model last deployed, when its file is still there."""
    from bot.adapters.db.engine import make_engine

    engine = make_engine(database_url)
    try:
        name = ModelRecords(engine).last_deployed()
    finally:
        engine.dispose()
    if name is None:
        return None
    path = models_dir / f"{name}.tar.gz"
    return str(path) if path.is_file() else None


def _lower_priority() -> None:
    # Training shares the host with the serving processes: let them go first.
    os.nice(10)


def verdict(candidate: dict[str, Any], current: dict[str, Any]) -> str:
    macro = candidate["macro_f1"] - current["macro_f1"]
    entity = candidate["entity_f1"] - current["entity_f1"]
    if macro < -TOLERANCE or entity < -TOLERANCE:
        return "worse"
    if macro > TOLERANCE:
        return "better"
    return "same"


def worse_intents(candidate: dict[str, Any], current: dict[str, Any]) -> list[str]:
    ours = candidate.get("per_intent_f1") or {}
    theirs = current.get("per_intent_f1") or {}
    return sorted(
        intent for intent, f1 in theirs.items() if ours.get(intent, 0.0) < f1 - INTENT_TOLERANCE
    )
