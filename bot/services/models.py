"""Model administration: train a candidate, evaluate it against the running one, deploy,
roll back, list. Used alike by ``python -m bot.cli model``, the console and the launcher.

A candidate is named after the hash of the data it was trained on
(``tabik-<fingerprint>``, as ``make train`` names it) and kept with the model files.
Deploying swaps every Rasa instance to it through their zero-downtime model-swap
endpoint; each swap is recorded (model, instance, the model it replaced), which is
what ``rollback`` and ``list`` read.

The gate: a candidate is ``worse`` when its held-out intent macro-F1 or entity F1
is more than :data:`TOLERANCE` below the running model's, ``better`` when its
macro-F1 is more than :data:`TOLERANCE` above (and nothing is worse), otherwise
``same``. 0.01 is about five of the ~500 held-out messages: differences smaller
than that are noise between trainings.

Blocking throughout (child processes, HTTP to the instances, the database): async
callers run it in a thread.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from bot.domain.errors import TabikError, with_message

__all__ = [
    "DeployRefused",
    "Deployment",
    "InstanceResult",
    "ModelError",
    "ModelFiles",
    "ModelRecords",
    "ModelService",
    "NothingToRollBack",
    "RasaInstances",
    "TrainingFailed",
    "TrainingInProgress",
    "UnknownModel",
    "model_name",
    "verdict",
    "worse_intents",
]

TOLERANCE = 0.01
# A per-intent F1 drop larger than this names the intent when a deploy is refused.
INTENT_TOLERANCE = 0.05
FIGURES = ("intent_accuracy", "macro_f1", "entity_f1")
NO_PREVIOUS = "no previous model recorded"


# --- refusals -------------------------------------------------------------------


class ModelError(TabikError):
    """Base of the model administration's refusals."""


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


# --- ports ----------------------------------------------------------------------


class ModelFiles(Protocol):
    """The trained models on disk and the Rasa commands that make and measure them."""

    def find(self, name: str) -> Path | None:
        """The file of model ``name`` (or of a ``.tar.gz`` path), None when there is none."""

    def paths(self) -> list[Path]:
        """Every model file, oldest first."""

    def fingerprint(self) -> str:
        """The hash of the current training data."""

    def training_lock(self) -> AbstractContextManager[object]:
        """Held while one training runs; ``BlockingIOError`` (its ``filename`` the lock)
        when another process holds it."""

    def validate(self, progress: IO[str], config: Path | None) -> None:
        """``rasa data validate``; ``CalledProcessError`` (``output``: the last lines)."""

    def train(self, progress: IO[str], config: Path | None) -> Path:
        """``rasa train`` into a new model file; ``CalledProcessError`` as for validate."""

    def held_out_figures(self, path: Path) -> dict[str, Any]:
        """The model's figures on the held-out set (``FIGURES``, per-intent F1, confusions)."""


class RasaInstances(Protocol):
    """The running Rasa servers' model-swap endpoint, by URL."""

    def current_model(self, url: str) -> str | None:
        """The model file the instance answers with; None when it does not say or answer."""

    def load(self, url: str, model_file: Path) -> dict[str, Any]:
        """Swap the instance to ``model_file``: the endpoint's answer
        (``previous_model_file``, ``load_seconds``), or ``{"error": reason}``."""


class Deployment(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def previous_model(self) -> str | None: ...


class ModelRecords(Protocol):
    """Candidates with their figures, and every deployment (the database)."""

    def register(self, name: str, fingerprint: str, path: str) -> None: ...
    def save_evaluation(self, name: str, path: str, evaluation: dict[str, Any]) -> None: ...
    def evaluation(self, name: str) -> dict[str, Any] | None: ...
    def models(self) -> list[dict[str, Any]]: ...
    def record_deployment(
        self, *, instance: str, model: str, previous_model: str | None, error: str | None = None
    ) -> None: ...
    def latest(self, instance: str) -> Deployment | None: ...
    def last_deployed(self) -> str | None: ...
    def instances(self) -> list[str]: ...


# --- the service ----------------------------------------------------------------


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
        files: ModelFiles,
        instances: RasaInstances,
        *,
        urls: Sequence[str],
    ) -> None:
        self.records = records
        self.files = files
        self.instances = instances
        self.instance_urls = [u.rstrip("/") for u in urls]

    def path_of(self, name: str) -> Path:
        path = self.files.find(name)
        if path is None:
            raise UnknownModel(name)
        return path

    def last_deployed_path(self) -> Path | None:
        """The file of the model last deployed anywhere, when it is still there."""
        name = self.records.last_deployed()
        return self.files.find(name) if name else None

    # --- training -------------------------------------------------------------

    def train(self, progress: IO[str] = sys.stderr, *, config: Path | None = None) -> str:
        """Train a candidate from the current data (validated first); returns its name.

        One at a time, across processes (the files' training lock).
        """
        try:
            lock = self.files.training_lock()
            with lock:
                path = self._train(progress, config)
        except BlockingIOError as held:
            raise TrainingInProgress(Path(str(held.filename))) from held
        name = model_name(path)
        self.records.register(name, self.files.fingerprint(), str(path))
        return name

    def _train(self, progress: IO[str], config: Path | None) -> Path:
        try:
            self.files.validate(progress, config)
        except subprocess.CalledProcessError as error:
            raise TrainingFailed("rasa data validate", str(error.output or "")) from error
        try:
            return self.files.train(progress, config)
        except subprocess.CalledProcessError as error:
            raise TrainingFailed("rasa train", str(error.output or "")) from error

    # --- evaluation -----------------------------------------------------------

    def current_model(self) -> str | None:
        """The model the first instance answers with (recorded, else asked, else None)."""
        for url in self.instance_urls:
            deployment = self.records.latest(url)
            if deployment is not None:
                return deployment.model
            running = self.instances.current_model(url)
            if running:
                return model_name(Path(running))
        return None

    def evaluate(self, name: str) -> dict[str, Any]:
        """Candidate and running model on the held-out set, with the verdict."""
        candidate_path = self.path_of(name)
        current = self.current_model()
        result: dict[str, Any] = {"candidate": self.files.held_out_figures(candidate_path)}
        result["candidate"]["model"] = model_name(candidate_path)
        if current is None or current == model_name(candidate_path):
            result["current"] = dict(result["candidate"])
        else:
            result["current"] = self.files.held_out_figures(self.path_of(current))
            result["current"]["model"] = current
        result["verdict"] = verdict(result["candidate"], result["current"])
        result["worse_intents"] = worse_intents(result["candidate"], result["current"])
        self.records.save_evaluation(model_name(candidate_path), str(candidate_path), result)
        return result

    # --- deployment -----------------------------------------------------------

    def deploy(self, name: str, *, force: bool = False) -> list[InstanceResult]:
        """Swap every instance to ``name``; refuses a worse model unless ``force``."""
        path = self.path_of(name)
        if not force:
            evaluation = self.records.evaluation(model_name(path))
            current = self.current_model()
            if evaluation is None or evaluation.get("current", {}).get("model") != current:
                evaluation = self.evaluate(name)
            if evaluation["verdict"] == "worse":
                c, r = evaluation["candidate"], evaluation["current"]
                raise DeployRefused(
                    model_name(path),
                    evaluation.get("worse_intents") or worse_intents(c, r),
                    f"macro-F1 {c['macro_f1']:.3f} vs {r['macro_f1']:.3f},"
                    f" entity F1 {c['entity_f1']:.3f} vs {r['entity_f1']:.3f}",
                )
        return [self._deploy_one(url, path) for url in self.instance_urls]

    def _deploy_one(self, url: str, path: Path) -> InstanceResult:
        name = model_name(path)
        answer = self.instances.load(url, path)
        if answer.get("error"):
            reason = str(answer["error"])
            self.records.record_deployment(
                instance=url, model=name, previous_model=None, error=reason
            )
            return InstanceResult(url, name, None, error=reason)
        replaced = answer.get("previous_model_file")
        previous = model_name(Path(replaced)) if replaced else None
        self.records.record_deployment(instance=url, model=name, previous_model=previous)
        return InstanceResult(url, name, previous, load_seconds=answer.get("load_seconds"))

    def rollback(self) -> list[InstanceResult]:
        """Every instance back to the model it ran before its latest deployment."""
        results = []
        for url in self.instance_urls:
            deployment = self.records.latest(url)
            if deployment is None or not deployment.previous_model:
                results.append(InstanceResult(url, "", None, error=NO_PREVIOUS))
                continue
            results.append(self._deploy_one(url, self.path_of(deployment.previous_model)))
        if all(r.error == NO_PREVIOUS for r in results):
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

        for path in self.files.paths():
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
