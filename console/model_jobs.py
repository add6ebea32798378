"""The admins' model work (train, evaluate, deploy, roll back) in a worker thread.

Each takes seconds to many minutes, so a press starts a job and the page polls its
state. One job at a time in this console (a second press is refused while one
runs); across processes the model service's training lock still refuses a
training the command line started, and the job reports that refusal. A job that
fails leaves the running model as it was: ModelService only swaps instances when
a deploy or rollback is what runs.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import IO, Any, cast

from bot.services.models import (
    DeployRefused,
    ModelService,
    NothingToRollBack,
    TrainingFailed,
    TrainingInProgress,
    UnknownModel,
)

log = logging.getLogger(__name__)

KINDS = ("train", "evaluate", "deploy", "rollback")
OUTPUT_LINES = 12
REFUSALS = {
    TrainingInProgress: "Pelatihan lain sedang berjalan (mungkin dari baris perintah:"
    " models/.training.lock). Coba lagi setelah selesai.",
    DeployRefused: "Kandidat lebih buruk daripada model yang berjalan; tidak dipasang.",
    NothingToRollBack: "Belum ada pemasangan dengan model sebelumnya; tidak ada yang dikembalikan.",
    UnknownModel: "Model itu tidak ada di folder models/.",
}
# Audit writer: (actor, action, subject, details).
Audit = Callable[[str, str, str, dict[str, Any]], None]


class JobRunning(Exception):
    def __init__(self, job: Job) -> None:
        super().__init__(f"{job.kind} is running since {job.started_at:%H:%M:%S}")
        self.job = job


class Output(io.TextIOBase):
    """Where a job's progress goes: the last lines are kept to show on the page."""

    def __init__(self, keep: int = OUTPUT_LINES) -> None:
        self.lines: deque[str] = deque(maxlen=keep)
        self.count = 0
        self._partial = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            *complete, self._partial = (self._partial + text).split("\n")
            for line in complete:
                if line.strip():
                    self.lines.append(line.rstrip()[:300])
                    self.count += 1
        return len(text)

    def tail(self) -> list[str]:
        with self._lock:
            return [*self.lines, *([self._partial] if self._partial.strip() else [])]


@dataclass
class Job:
    kind: str
    actor: str
    model: str | None = None
    force: bool = False
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    # running | done | failed (an error, nothing changed) | refused | partial (some instances)
    state: str = "running"
    finished_at: datetime | None = None
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    output: Output = field(default_factory=Output)

    @property
    def running(self) -> bool:
        return self.state == "running"

    def as_json(self) -> dict[str, Any]:
        now = self.finished_at or datetime.now(timezone.utc)
        return {
            "kind": self.kind,
            "model": self.model,
            "actor": self.actor,
            "state": self.state,
            "started_at": self.started_at.isoformat(),
            "seconds": round((now - self.started_at).total_seconds()),
            "lines": self.output.tail(),
            "line_count": self.output.count,
            "error": self.error,
            "result": self.result,
        }


class ModelJobs:
    def __init__(self, models: Callable[[], ModelService], audit: Audit) -> None:
        self.models = models
        self.audit = audit
        self.current: Job | None = None
        self._lock = threading.Lock()

    def start(self, kind: str, actor: str, model: str | None = None, *, force: bool = False) -> Job:
        """Start a job in a worker thread; JobRunning while another one runs."""
        if kind not in KINDS:
            raise ValueError(kind)
        with self._lock:
            if self.current is not None and self.current.running:
                raise JobRunning(self.current)
            job = self.current = Job(kind, actor, model, force)
        self.audit(actor, f"model.{kind}.started", model or "-", {"force": force})
        threading.Thread(target=self._run, args=(job,), name=f"model-{kind}", daemon=True).start()
        return job

    def _work(self, job: Job) -> dict[str, Any]:
        models = self.models()
        if job.kind == "train":
            # Output is a text stream (write/flush), which is all train() uses of IO[str].
            return {"candidate": models.train(cast(IO[str], job.output))}
        if job.kind == "evaluate":
            job.output.write(f"Mengevaluasi {job.model} pada data uji…\n")
            return {"evaluation": models.evaluate(str(job.model))}
        if job.kind == "deploy":
            job.output.write(f"Memasang {job.model} ke setiap instance…\n")
            results = models.deploy(str(job.model), force=job.force)
        else:
            job.output.write("Mengembalikan setiap instance ke model sebelumnya…\n")
            results = models.rollback()
        return {"instances": [{**asdict(r), "ok": r.ok} for r in results]}

    def _run(self, job: Job) -> None:
        result: dict[str, Any] = {}
        error: str | None = None
        try:
            result = self._work(job)
            state = "partial" if any(not i["ok"] for i in result.get("instances", [])) else "done"
        except TrainingFailed as failed:
            state, error = "failed", f"{failed.step}: {failed.detail}"
        except DeployRefused as refused:
            state, error = "refused", REFUSALS[DeployRefused]
            result = {"worse_intents": refused.worse_intents, "detail": str(refused)}
        except (TrainingInProgress, NothingToRollBack, UnknownModel) as refused:
            state, error = "refused", REFUSALS[type(refused)]
        except Exception as unexpected:
            log.exception("model %s job failed", job.kind)
            state, error = "failed", f"{type(unexpected).__name__}: {unexpected}"
        details = {"state": state, "error": (error or "")[:500], **result}
        try:
            self.audit(job.actor, f"model.{job.kind}.{state}", job.model or "-", details)
        except Exception:
            log.exception("model %s job not audited", job.kind)
        # Published last: whoever sees the job finished also finds it in the audit log.
        job.result, job.error, job.finished_at = result, error, datetime.now(timezone.utc)
        job.state = state
