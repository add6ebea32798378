"""Training the model: what goes into it, where it is kept, and the Rasa commands.

A model is named by a hash of its training inputs (``models/tabik-<hash>.tar.gz``),
so ``make train`` trains only when the data changed and the same data always
gives the same, seeded model. Rasa runs as a child process with the environment
it is given (:func:`child_environment`); :mod:`bot.entrypoints.training` gives it
the process's own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from bot.config import PROJECT_ROOT

log = logging.getLogger("tabik.launcher")

MODELS_DIR = PROJECT_ROOT / "models"
# Everything a trained model depends on: change any of these and the model is stale.
TRAINING_INPUTS = (
    "config.yml",
    "domain.yml",
    "domain",
    "nlu/data",
    "bot/nlu",
    "bot/domain/menu.py",
    "bot/domain/vocabulary.py",
    "bot/domain/gazetteer.py",
    "bot/domain/readings.py",
    "bot/domain/tickets.py",
    "bot/data/slang.yml",
    "bot/data/vocabulary.yml",
    "bot/data/regions.yml",
    "bot/data/gazetteer/lampung.json",
    "bot/data/menu.yml",
)


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def child_environment(
    environment: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A child's environment: ``environment`` with Rasa's quiet, seeded defaults."""
    env = dict(environment)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("TF_DETERMINISTIC_OPS", "1")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    env.update(extra or {})
    return env


# --- training ---------------------------------------------------------------


def _input_files(root: Path) -> Iterable[Path]:
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".py"}
            )


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of every training input (content, not mtime: checkouts reset mtimes)."""
    digest = hashlib.sha256()
    for path in _input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def domain_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "domain" if (root / "domain").is_dir() else root / "domain.yml"


def model_path(root: Path = PROJECT_ROOT, models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / f"tabik-{training_fingerprint(root)}.tar.gz"


def train(
    *,
    force: bool = False,
    models_dir: Path = MODELS_DIR,
    config: Path | None = None,
    output: IO[bytes] | None = None,
    root: Path = PROJECT_ROOT,
    environment: Mapping[str, str],
    **run_options: Any,
) -> Path:
    """Train into ``models/`` unless a model for exactly this data exists; return its path.

    ``root`` is the project whose data is trained (tests train tiny projects);
    ``run_options`` go to ``subprocess.run`` (the admin CLI sends Rasa's output to stderr).
    """
    target = model_path(root, models_dir=models_dir)
    if config is None and target.exists() and not force:
        log.info("Model %s is up to date.", target.name)
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    name = target.name.removesuffix(".tar.gz")
    command = [
        venv_bin("rasa"),
        "train",
        "--config",
        str(config or root / "config.yml"),
        "--domain",
        str(domain_path(root)),
        "--data",
        str(root / "nlu" / "data"),
        "--out",
        str(models_dir),
        "--fixed-model-name",
        name,
    ]
    log.info("Training %s (seeded) ...", name)
    subprocess.run(  # noqa: S603
        command,
        check=True,
        cwd=PROJECT_ROOT,
        env=child_environment(environment),
        **({"stdout": output, "stderr": output} | run_options),
    )
    return models_dir / f"{name}.tar.gz"


def validate_command(root: Path, config: Path | None = None) -> list[str]:
    """``rasa data validate``: bad YAML, unknown intents, story conflicts."""
    return [
        venv_bin("rasa"),
        "data",
        "validate",
        "--domain",
        str(domain_path(root)),
        "--data",
        str(root / "nlu" / "data"),
        "--config",
        str(config or root / "config.yml"),
    ]


def train_nlu(config: Path, out_dir: Path, name: str, *, environment: Mapping[str, str]) -> Path:
    """Train an NLU-only model with another pipeline (for pipeline comparisons)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        venv_bin("rasa"),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(PROJECT_ROOT / "nlu" / "data"),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    subprocess.run(  # noqa: S603
        command, check=True, cwd=PROJECT_ROOT, env=child_environment(environment)
    )
    return out_dir / f"{name}.tar.gz"
