"""Fixtures shared by every test tier."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training data, trained once per run.

    ``make test`` trains first, so this normally finds it.
    """
    from bot.entrypoints.training import model_path, train

    pinned = os.environ.get("TABIK_MODEL")
    if pinned:
        return Path(pinned)
    path = model_path()
    return path if path.exists() else train()


@pytest.fixture(scope="session")
def nlu_parser(trained_model: Path) -> Iterator[object]:
    """An in-process parser over the trained model (loaded once per run)."""
    from bot.entrypoints.evaluation import ModelParser

    yield ModelParser(trained_model)
