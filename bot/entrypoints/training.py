"""Training as ``make train``, the launcher and the tests run it: Rasa with this process's
environment (what goes into a model and the commands are :mod:`bot.adapters.rasa_training`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.adapters import rasa_training
from bot.adapters.rasa_training import (
    MODELS_DIR,
    TRAINING_INPUTS,
    domain_path,
    model_path,
    training_fingerprint,
    venv_bin,
)

__all__ = [
    "MODELS_DIR",
    "TRAINING_INPUTS",
    "child_env",
    "domain_path",
    "model_path",
    "train",
    "train_nlu",
    "training_fingerprint",
    "venv_bin",
]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with Rasa's quiet, seeded defaults, for a child."""
    return rasa_training.child_environment(os.environ, extra)


def train(**options: Any) -> Path:
    """:func:`bot.adapters.rasa_training.train` in this process's environment."""
    return rasa_training.train(environment=os.environ, **options)


def train_nlu(config: Path, out_dir: Path, name: str) -> Path:
    return rasa_training.train_nlu(config, out_dir, name, environment=os.environ)
