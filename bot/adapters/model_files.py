"""The model files in ``models/`` and the Rasa commands that train and measure them.

Implements :class:`bot.services.models.ModelFiles`. Rasa runs as a child process at
lower CPU priority than the serving processes; its output is copied line by line to
the caller's progress stream, and the last lines are the error when it fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from bot.adapters import rasa_training
from bot.adapters.nlu_evaluation import DEFAULT_TEST_FILES, evaluate
from bot.config import PROJECT_ROOT

LOCK_FILE = ".training.lock"
TAIL_LINES = 15


class RasaModelFiles:
    def __init__(
        self,
        models_dir: Path,
        *,
        environment: Mapping[str, str],
        root: Path = PROJECT_ROOT,
        test_file: Path | None = None,
    ) -> None:
        self.models_dir = models_dir
        self.environment = environment
        self.root = root
        self.test_file = test_file or DEFAULT_TEST_FILES[0]

    def find(self, name: str) -> Path | None:
        given = Path(name)
        if given.suffixes[-2:] == [".tar", ".gz"] and given.is_file():
            return given
        path = self.models_dir / f"{given.name.removesuffix('.tar.gz')}.tar.gz"
        return path if path.is_file() else None

    def paths(self) -> list[Path]:
        return sorted(self.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)

    def fingerprint(self) -> str:
        return rasa_training.training_fingerprint(self.root)

    @contextlib.contextmanager
    def training_lock(self) -> Iterator[Path]:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.models_dir / LOCK_FILE
        with lock_path.open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                error.filename = str(lock_path)
                raise
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            try:
                yield lock_path
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def validate(self, progress: IO[str], config: Path | None) -> None:
        command = rasa_training.validate_command(self.root, config)
        with _pumped(progress) as (output, tail):
            code = subprocess.run(  # noqa: S603 - our own venv's rasa
                command,
                cwd=PROJECT_ROOT,
                env=rasa_training.child_environment(self.environment),
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_lower_priority,
                check=False,
            ).returncode
        if code != 0:
            raise subprocess.CalledProcessError(code, command, output="\n".join(tail))

    def train(self, progress: IO[str], config: Path | None) -> Path:
        try:
            with _pumped(progress) as (output, tail):
                return rasa_training.train(
                    models_dir=self.models_dir,
                    config=config,
                    root=self.root,
                    environment=self.environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_lower_priority,
                )
        except subprocess.CalledProcessError as error:
            error.output = "\n".join(tail)
            raise

    def held_out_figures(self, path: Path) -> dict[str, Any]:
        report = evaluate(path, self.test_file)
        return {
            "intent_accuracy": report.intent_accuracy,
            "macro_f1": report.intent_macro_f1,
            "entity_f1": report.entity_micro.f1,
            "per_intent_f1": {k: v.f1 for k, v in sorted(report.per_intent.items())},
            "worst_confusions": [
                {"expected": g, "predicted": p, "count": n} for g, p, n in report.confusions
            ],
        }


@contextlib.contextmanager
def _pumped(progress: IO[str], keep: int = TAIL_LINES) -> Iterator[tuple[int, list[str]]]:
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


def _lower_priority() -> None:
    # Training shares the host with the serving processes: let them go first.
    os.nice(10)
